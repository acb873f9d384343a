// Exclusive lock between dist-kernel runs: a lock file holding "pid starttime". Node has no flock, so a holder
// killed with SIGKILL leaves the file behind; it is taken over once its process is gone (start time guards against
// pid reuse). Taking over goes through a second lock file so two waiters never both steal.
// The lock file appears with its content already in it: the token is written to a private file first, which is then
// hard-linked to the lock's name (link fails atomically when the name exists). A lock file created empty and
// written afterwards could be read in between, its holder taken for dead and the lock stolen from a live run.
import { closeSync, constants, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DistKernelError } from './errors';
import { readTextOrUndefined } from './read-file';

export interface LockOptions {
	/** Give up after this many ms (default 30 minutes: a dracut run on a slow machine). */
	timeoutMs?: number;
	/** Called once when we start waiting for another holder. */
	onWait?: (holder: string) => void;
}

function processStartTime(pid: number): string | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Field 22 (starttime); the comm field (2) may contain spaces, so split after the last ')'.
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
	} catch {
		return undefined;
	}
}

function selfToken(): string {
	return `${process.pid} ${processStartTime(process.pid) ?? '0'}\n`;
}

function holderAlive(content: string): boolean {
	const [pidText, start] = content.trim().split(' ');
	const pid = Number(pidText);
	if (!Number.isInteger(pid) || pid <= 0) return false;
	const current = processStartTime(pid);
	return current !== undefined && (start === undefined || start === '0' || current === start);
}

let privateNames = 0;

function tryCreate(path: string): boolean {
	const draft = `${path}.${process.pid}.${++privateNames}`;
	try {
		const fd = openSync(
			draft,
			// not O_EXCL: a draft left by a killed run with the same pid is simply overwritten
			constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_TRUNC,
			0o600,
		);
		try {
			writeSync(fd, selfToken());
		} finally {
			closeSync(fd);
		}
		linkSync(draft, path);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw new DistKernelError('lock.create', `cannot create lock file: ${path}`, { cause: error });
	} finally {
		unlinkQuiet(draft);
	}
}

function removeIfStale(path: string): void {
	const guard = `${path}.takeover`;
	if (!tryCreate(guard)) {
		const guardHolder = readTextOrUndefined(guard);
		if (guardHolder !== undefined && !holderAlive(guardHolder)) unlinkQuiet(guard);
		return;
	}
	try {
		const content = readTextOrUndefined(path);
		if (content !== undefined && !holderAlive(content)) unlinkQuiet(path);
	} finally {
		unlinkQuiet(guard);
	}
}

function unlinkQuiet(path: string): void {
	try {
		unlinkSync(path);
	} catch {
		// Already gone.
	}
}

export interface LockHandle {
	release(): void;
}

export async function acquireLock(path: string, options: LockOptions = {}): Promise<LockHandle> {
	mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
	const deadline = Date.now() + (options.timeoutMs ?? 30 * 60 * 1000);
	let waited = false;
	let delay = 50;
	for (;;) {
		if (tryCreate(path)) {
			const token = selfToken();
			return {
				release: () => {
					if (readTextOrUndefined(path) === token) unlinkQuiet(path);
				},
			};
		}
		const holder = readTextOrUndefined(path);
		if (holder !== undefined && !holderAlive(holder)) {
			removeIfStale(path);
			continue;
		}
		if (!waited) {
			waited = true;
			options.onWait?.(holder?.trim().split(' ')[0] ?? '?');
		}
		if (Date.now() > deadline) {
			throw new DistKernelError('lock.timeout', `timed out waiting for the lock: ${path}`, {
				hint: `another dist-kernel run (pid ${holder?.trim().split(' ')[0] ?? '?'}) holds it`,
			});
		}
		await sleep(delay);
		delay = Math.min(delay * 2, 1000);
	}
}

export async function withLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
	const handle = await acquireLock(path, options);
	try {
		return await fn();
	} finally {
		handle.release();
	}
}
