// Runs a child process and collects its result; never through a shell.
import { spawn, spawnSync } from 'node:child_process';

export interface ProcessResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
}

export interface RunOptions {
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	input?: string;
	/** New process group: lets the caller wait for (or kill) children left behind by a killed parent. */
	detached?: boolean;
	onSpawn?: (pid: number) => void;
}

export function runProcess(file: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
	return new Promise((resolvePromise, reject) => {
		const start = performance.now();
		const child = spawn(file, [...args], {
			env: options.env ?? process.env,
			cwd: options.cwd,
			detached: options.detached ?? false,
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		if (child.pid !== undefined) options.onSpawn?.(child.pid);
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (d: Buffer) => out.push(d));
		child.stderr.on('data', (d: Buffer) => err.push(d));
		child.on('error', reject);
		child.on('close', (code, signal) => {
			resolvePromise({
				code,
				signal,
				stdout: Buffer.concat(out).toString(),
				stderr: Buffer.concat(err).toString(),
				ms: performance.now() - start,
			});
		});
		child.stdin.end(options.input ?? '');
	});
}

/** Synchronous variant for set-up steps; throws on a non-zero exit. */
export function runChecked(
	file: string,
	args: readonly string[],
	options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): string {
	const result = spawnSync(file, [...args], {
		env: options.env ?? process.env,
		cwd: options.cwd,
		encoding: 'utf8',
		maxBuffer: 256 * 1024 * 1024,
	});
	if (result.error) throw result.error;
	if (result.status !== 0)
		throw new Error(
			`${file} ${args.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr.slice(-2000)}`,
		);
	return result.stdout;
}

/** True while any process of the group `pgid` is alive. */
export function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Waits until the process group is gone; after `timeoutMs` kills what is left and reports it. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<'gone' | 'killed'> {
	const deadline = Date.now() + timeoutMs;
	while (groupAlive(pgid)) {
		if (Date.now() > deadline) {
			try {
				process.kill(-pgid, 'SIGKILL');
			} catch {
				// Raced with its exit.
			}
			return 'killed';
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	return 'gone';
}
