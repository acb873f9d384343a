import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isDistKernelError } from './errors';
import { acquireLock, withLock } from './lock';

// Every write the lock module makes is checked against the lock files' state at that moment (see the test
// "the lock file is never seen without its token").
const watched = vi.hoisted(() => ({ paths: [] as string[], seenEmpty: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
	const fs = await importOriginal<typeof import('node:fs')>();
	return {
		...fs,
		writeSync: (...args: Parameters<typeof fs.writeSync>) => {
			for (const path of watched.paths)
				if (fs.existsSync(path) && fs.readFileSync(path, 'utf8') === '') watched.seenEmpty.push(path);
			return (fs.writeSync as (...a: unknown[]) => number)(...args);
		},
	};
});

describe('lock', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'dk-lock-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('serialises two holders', async () => {
		const path = join(dir, 'dist-kernel.lock');
		const order: string[] = [];
		// The first holder keeps the lock until the second has seen it held: no sleeps, the order is forced.
		let secondWaits!: () => void;
		const gate = new Promise<void>((resolve) => (secondWaits = resolve));
		const first = withLock(path, async () => {
			order.push('a-start');
			await gate;
			order.push('a-end');
		});
		let waited = false;
		const second = withLock(
			path,
			async () => {
				order.push('b');
			},
			{
				onWait: () => {
					waited = true;
					secondWaits();
				},
			},
		);
		await Promise.all([first, second]);
		expect(order).toEqual(['a-start', 'a-end', 'b']);
		expect(waited).toBe(true);
		expect(existsSync(path)).toBe(false);
	});

	it('the lock file is never seen without its token: a waiter cannot take a live holder for dead', async () => {
		const path = join(dir, 'dist-kernel.lock');
		watched.paths = [path, `${path}.takeover`];
		watched.seenEmpty = [];
		try {
			// A dead holder's file forces the takeover path too, which creates the second lock file.
			const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
			writeFileSync(path, `${child.stdout.trim()} 12345\n`);
			const handle = await acquireLock(path, { timeoutMs: 2000 });
			expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9]+\n$`));
			handle.release();
		} finally {
			watched.paths = [];
		}
		expect(watched.seenEmpty).toEqual([]);
		// no drafts left beside the lock
		expect(readdirSync(dir)).toEqual([]);
	});

	it('a draft left by a killed run with the same pid does not block the lock', async () => {
		const path = join(dir, 'dist-kernel.lock');
		for (let n = 1; n <= 100; n++) writeFileSync(`${path}.${process.pid}.${n}`, 'junk');
		const handle = await acquireLock(path, { timeoutMs: 2000 });
		expect(existsSync(path)).toBe(true);
		handle.release();
		expect(existsSync(path)).toBe(false);
	});

	it('takes over a lock left by a dead process', async () => {
		const path = join(dir, 'dist-kernel.lock');
		const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
		writeFileSync(path, `${child.stdout.trim()} 12345\n`);
		const handle = await acquireLock(path, { timeoutMs: 2000 });
		handle.release();
		expect(existsSync(path)).toBe(false);
	});

	it('times out with a typed error while a live process holds it', async () => {
		const path = join(dir, 'dist-kernel.lock');
		const handle = await acquireLock(path);
		let caught: unknown;
		try {
			await acquireLock(path, { timeoutMs: 100 });
		} catch (error) {
			caught = error;
		}
		handle.release();
		expect(isDistKernelError(caught, 'lock.timeout')).toBe(true);
	});
});
