// The contract between the program and each command file (below both, so arrows point one way).
import type { Command } from 'commander';
import type { Context } from './context';

/** Handler receives the context and the command's own parsed options/arguments. */
export type CommandAction = (context: Context, ...args: unknown[]) => Promise<number | undefined>;

export interface CommandModule {
	register(program: Command, run: (action: CommandAction) => (...args: unknown[]) => Promise<void>): void;
}
