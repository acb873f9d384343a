// Runs the program built by test/global-setup.ts as a real process.
import { execFile } from 'node:child_process';

export function testBin(): string {
	const bin = process.env['DIST_KERNEL_TEST_BIN'];
	if (!bin) throw new Error('DIST_KERNEL_TEST_BIN is unset: run the tests through vitest (test/global-setup.ts)');
	return bin;
}

export interface RunResult {
	code: number;
	stdout: string;
	stderr: string;
}

export interface RunOptions {
	env?: NodeJS.ProcessEnv;
	input?: string;
	cwd?: string;
	/** Called with the stderr seen so far, each time more arrives (to wait for a message instead of sleeping). */
	onStderr?: (soFar: string) => void;
}

export function runBin(args: string[], options: RunOptions = {}): Promise<RunResult> {
	return new Promise((resolvePromise) => {
		const child = execFile(
			process.execPath,
			[testBin(), ...args],
			{ env: { ...process.env, NO_COLOR: '1', ...options.env }, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
			},
		);
		if (options.onStderr) {
			let soFar = '';
			child.stderr?.on('data', (chunk: Buffer | string) => {
				soFar += String(chunk);
				options.onStderr!(soFar);
			});
		}
		if (options.input !== undefined) child.stdin?.end(options.input);
		else child.stdin?.end();
	});
}
