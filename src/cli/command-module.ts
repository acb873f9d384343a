// The contract between the program and each command file (below both, so arrows point one way).
import type { Command } from 'commander';
import * as z from 'zod';
import { InternalError } from '../lib/errors';
import type { Context } from './context';

/** What commander parsed for one command: its positional arguments, its options and the command itself. */
export interface CommandInput {
	args: unknown[];
	options: unknown;
	command: Command;
}

/** Handler receives the context and the command's own parsed options/arguments. */
export type CommandAction = (context: Context, input: CommandInput) => Promise<number | undefined>;

export interface CommandModule {
	register(program: Command, run: (action: CommandAction) => (...args: unknown[]) => Promise<void>): void;
}

/**
 * Commander's values, typed by the schema the command declares beside its options: commander already checked the
 * command line, so a mismatch is a bug here, not bad input.
 */
export function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
	const result = schema.safeParse(value);
	if (!result.success)
		throw new InternalError(`command-line values do not match their declaration: ${z.prettifyError(result.error)}`);
	return result.data;
}

/** Splits commander's action arguments: positionals…, the options object, the Command. */
export function commandInput(actionArgs: unknown[]): CommandInput {
	const command = actionArgs.at(-1);
	const options = actionArgs.at(-2);
	if (!isCommand(command)) throw new InternalError('commander called an action without its Command');
	return { args: actionArgs.slice(0, -2), options, command };
}

function isCommand(value: unknown): value is Command {
	return typeof value === 'object' && value !== null && 'opts' in value && 'parent' in value;
}
