// Entry point: the one top-level catch. Nothing below calls process.exit. Calls of the kernel-install plugin that
// build nothing are answered before the rest of the program is loaded (a separate chunk of the bundle).
import { appendFileSync } from 'node:fs';
import { EXIT_FAILED, EXIT_USAGE, formatError, InternalError, isDistKernelError } from '../lib/errors';
import { answerPluginNoOp } from './plugin-fast-path';

/** commander's own errors (help, version, usage), known by their documented `commander.*` codes. */
function isCommanderError(error: unknown): error is Error & { exitCode: number } {
	const e = error as { code?: unknown; exitCode?: unknown } | null;
	return (
		error instanceof Error &&
		typeof e?.code === 'string' &&
		e.code.startsWith('commander.') &&
		typeof e.exitCode === 'number'
	);
}

async function main(argv: string[]): Promise<number> {
	try {
		const answered = answerPluginNoOp(argv.slice(2), process.env);
		if (answered !== undefined) return answered;
		const { runProgram } = await import('./run-program');
		return await runProgram(argv);
	} catch (error) {
		if (isCommanderError(error)) {
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
		appendFileSync(
			file,
			text
				.split('\n')
				.map((line) => `ERROR\t${line}\n`)
				.join(''),
		);
	} catch {
		// Best effort: the error was printed already.
	}
}

process.exitCode = await main(process.argv);
