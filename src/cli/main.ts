// Entry point: the one top-level catch. Nothing below calls process.exit.
import { appendFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { EXIT_FAILED, EXIT_USAGE, InternalError, formatError, isDistKernelError } from '../lib/errors';
import { buildProgram } from './program';

async function main(argv: string[]): Promise<number> {
	let exitCode = 0;
	const program = buildProgram((code) => {
		exitCode = code;
	});
	try {
		await program.parseAsync(argv);
		return exitCode;
	} catch (error) {
		if (error instanceof CommanderError) {
			// Help and version are "errors" with exit code 0; commander already printed the message.
			return error.exitCode === 0 ? 0 : EXIT_USAGE;
		}
		if (isDistKernelError(error)) {
			const text = formatError(error);
			process.stderr.write(`dist-kernel: ${text}\n`);
			relayToEclass(text);
			return error.exitCode;
		}
		const bug = error instanceof InternalError ? error : new InternalError('unexpected error', { cause: error });
		process.stderr.write(`dist-kernel: ${bug.message}\n${formatError(error)}\n`);
		return EXIT_FAILED;
	}
}

/** The eclass relays $DIST_KERNEL_ELOG into emerge's elog summary: a fatal error belongs there too. */
function relayToEclass(text: string): void {
	const file = process.env['DIST_KERNEL_ELOG'];
	if (!file) return;
	try {
		appendFileSync(file, text.split('\n').map((line) => `ERROR\t${line}\n`).join(''));
	} catch {
		// Best effort: the error was printed already.
	}
}

process.exitCode = await main(process.argv);
