// Entry point: the one top-level catch. Nothing below calls process.exit.
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
			process.stderr.write(`dist-kernel: ${formatError(error)}\n`);
			return error.exitCode;
		}
		const bug = error instanceof InternalError ? error : new InternalError('unexpected error', { cause: error });
		process.stderr.write(`dist-kernel: ${bug.message}\n${formatError(error)}\n`);
		return EXIT_FAILED;
	}
}

process.exitCode = await main(process.argv);
