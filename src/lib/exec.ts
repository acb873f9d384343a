// The one subprocess wrapper: argv arrays only (never a shell), tools found on the inherited PATH plus the
// sbin directories, per-call timeout, output kept for the error and optionally shown live.
import { readFileSync } from 'node:fs';
import type { ExecaError } from 'execa';
import { CHECKPOINT_ENV, checkpoint } from './checkpoint';
import { DistKernelError } from './errors';
import type { Logger } from './log';
import { openSpool } from './spool';

/** execa is evaluated on the first command, not at start-up: hooks that run nothing stay cheap. */
let execaModule: Promise<typeof import('execa')> | undefined;
function loadExeca(): Promise<typeof import('execa')> {
	execaModule ??= import('execa');
	return execaModule;
}

export interface ExecOptions {
	/** Extra or overriding environment variables for the child. */
	env?: Record<string, string | undefined>;
	/** Start from an empty environment (plus PATH) instead of inheriting ours. */
	cleanEnv?: boolean;
	cwd?: string;
	input?: string | Buffer;
	/** Milliseconds; 0 means none. Default 15 minutes (dracut with xz can be slow). */
	timeout?: number;
	/** Non-zero exit is returned, not thrown. */
	allowFailure?: boolean;
	/** The command changes the system: with --dry-run it is printed and not run. */
	mutates?: boolean;
	/** Stream the child's output to our stderr while keeping it (default: only with --verbose). */
	show?: boolean;
	/** Binary stdout (e.g. a decompressed stream), returned as stdoutBuffer. */
	binary?: boolean;
	/** An open descriptor (a file) the child reads as stdin, from its current offset; instead of `input`. */
	stdinFd?: number;
	/** An open descriptor (e.g. a spool file, lib/spool.ts) the child writes its stdout to; the caller reads it. */
	stdoutFd?: number;
	/** Called with each piece of stdout as it arrives (still kept for the result). */
	onOutput?: (text: string) => void;
	/** Each chunk of binary stdout as it comes (a stream read on the fly), instead of keeping it. */
	onStdout?: (chunk: Buffer) => void;
	/** Aborting it stops the child (SIGTERM): the call then fails with `exec.canceled`. */
	signal?: AbortSignal;
}

export interface ExecResult {
	command: string;
	exitCode: number;
	stdout: string;
	stdoutBuffer?: Buffer;
	stderr: string;
	/** True when --dry-run skipped the command. */
	skipped: boolean;
}

export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export interface ExecContext {
	logger: Logger;
	dryRun?: boolean;
	/** Base environment (default process.env). */
	env?: NodeJS.ProcessEnv;
}

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];
export const DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;

/** Inherited PATH first (admins may wrap tools; Portage's PATH is honoured), then the usual system dirs. */
export function searchPath(inherited: string | undefined): string {
	const dirs = (inherited ?? '').split(':').filter(Boolean);
	for (const dir of SBIN_DIRS) if (!dirs.includes(dir)) dirs.push(dir);
	return dirs.join(':');
}

/** Quote an argv for display only (never executed through a shell). */
export function displayCommand(file: string, args: readonly string[]): string {
	return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function tail(text: string, lines = 20): string {
	const all = text.trimEnd().split('\n');
	return all.slice(-lines).join('\n');
}

export function createExec(context: ExecContext): Exec {
	const baseEnv = context.env ?? process.env;
	return async (file, args, options = {}) => {
		const command = displayCommand(file, args);
		if (options.mutates && context.dryRun) {
			context.logger.info(`(dry run) would run: ${command}`);
			return { command, exitCode: 0, stdout: '', stderr: '', skipped: true };
		}
		context.logger.debug(`running: ${command}`);
		checkpoint(`exec.start ${file}`);
		const env: Record<string, string | undefined> = options.cleanEnv ? {} : { ...baseEnv };
		for (const name of CHECKPOINT_ENV) delete env[name];
		Object.assign(env, options.env ?? {});
		env['PATH'] = searchPath(options.env?.['PATH'] ?? baseEnv['PATH']);
		const show = options.show ?? context.logger.verbose;
		// Binary output (a decompressed initramfs, easily over 100 MB) goes straight into a private temporary file
		// and is read back in one piece (lib/spool.ts says why not a pipe).
		const spool = options.binary && options.stdoutFd === undefined && !options.onStdout ? openSpool() : undefined;
		const stdoutFd = options.stdoutFd ?? spool?.fd;
		try {
			const { execa } = await loadExeca();
			const subprocess = execa(file, [...args], {
				env,
				extendEnv: false,
				cwd: options.cwd,
				// execa hands any open descriptor to the child as is (its types only list 3–9).
				...(options.stdinFd !== undefined
					? { stdin: options.stdinFd as 3 }
					: options.input === undefined
						? { stdin: 'ignore' as const }
						: { input: options.input }),
				timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
				reject: false,
				stripFinalNewline: false,
				stdout:
					stdoutFd !== undefined
						? (stdoutFd as 3)
						: options.onStdout
							? 'pipe'
							: [...(show ? (['pipe', 'inherit'] as const) : (['pipe'] as const)), ...watch(options.onOutput)],
				...(options.signal ? { cancelSignal: options.signal } : {}),
				stderr: show ? ['pipe', 'inherit'] : 'pipe',
				...(options.onStdout ? { buffer: { stdout: false }, encoding: 'buffer' as const } : {}),
			});
			const onStdout = options.onStdout;
			if (onStdout)
				subprocess.stdout?.on('data', (chunk: Buffer | Uint8Array) =>
					onStdout(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)),
				);
			const result = await subprocess;
			// A failed run's output is partial (e.g. a truncated stream): never handed on.
			const stdoutBuffer = spool ? (result.exitCode === 0 ? readFileSync(spool.path) : Buffer.alloc(0)) : undefined;
			const stdout = stdoutFd !== undefined || options.onStdout ? '' : String(result.stdout ?? '');
			const stderr =
				result.stderr instanceof Uint8Array ? Buffer.from(result.stderr).toString('utf8') : String(result.stderr ?? '');
			if (result.failed && result.exitCode === undefined) throw result;
			const exitCode = result.exitCode ?? 1;
			checkpoint(`exec.end ${file}`);
			if (exitCode !== 0 && !options.allowFailure) {
				throw new DistKernelError('exec.failed', `command failed with exit code ${exitCode}: ${command}`, {
					details: tail(stderr || stdout),
				});
			}
			return { command, exitCode, stdout, ...(stdoutBuffer ? { stdoutBuffer } : {}), stderr, skipped: false };
		} catch (error) {
			if (error instanceof DistKernelError) throw error;
			const e = error as Partial<ExecaError> & { code?: string };
			// Only the spawn error's own code: the message may contain the child's output.
			const cause = (e as { cause?: { code?: string } }).cause;
			if (e.code === 'ENOENT' || cause?.code === 'ENOENT') {
				throw new DistKernelError('exec.not-found', `command not found: ${file}`, {
					hint: `install the package that provides \`${file}\` or put it on PATH`,
					cause: error,
				});
			}
			if (e.isCanceled) {
				throw new DistKernelError('exec.canceled', `command stopped: ${command}`, {
					details: tail(String(e.stderr ?? '')),
					cause: error,
				});
			}
			if (e.timedOut) {
				throw new DistKernelError('exec.timeout', `command timed out: ${command}`, {
					details: tail(String(e.stderr ?? '')),
					cause: error,
				});
			}
			throw new DistKernelError('exec.failed', `command failed: ${command}`, {
				details: tail(String(e.stderr ?? e.shortMessage ?? e.message ?? '')),
				cause: error,
			});
		} finally {
			spool?.close();
		}
	};
}

/** A pass-through execa transform that shows each stdout chunk to `onOutput` as it arrives. */
function watch(onOutput: ((text: string) => void) | undefined) {
	if (!onOutput) return [];
	const decoder = new TextDecoder();
	return [
		{
			transform: function* (chunk: unknown) {
				onOutput(decoder.decode(chunk as Uint8Array, { stream: true }));
				yield chunk;
			},
			binary: true,
		},
	];
}
