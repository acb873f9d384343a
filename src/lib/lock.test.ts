import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDistKernelError } from './errors';
import { acquireLock, withLock } from './lock';

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
