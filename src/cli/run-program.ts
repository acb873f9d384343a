// The full command-line program (commander, every command), loaded by main.ts once the fast path has declined.
import { buildProgram } from './program';

/** Parses argv and runs the command; errors go up to main.ts's one top-level catch. */
export async function runProgram(argv: string[]): Promise<number> {
	let exitCode = 0;
	const program = buildProgram((code) => {
		exitCode = code;
	});
	await program.parseAsync(argv);
	return exitCode;
}
