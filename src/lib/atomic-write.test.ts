import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write';
import { isDistKernelError } from './errors';

describe('writeFileAtomic', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'dk-atomic-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('replaces the content and leaves no temp file', () => {
		const target = join(dir, 'vmlinuz-6.1.0');
		writeFileSync(target, 'old');
		writeFileAtomic(target, 'new', { mode: 0o600 });
		expect(readFileSync(target, 'utf8')).toBe('new');
		expect(statSync(target).mode & 0o777).toBe(0o600);
		expect(readdirSync(dir)).toEqual(['vmlinuz-6.1.0']);
	});

	it('refuses to replace a planted symbolic link and keeps its target intact', () => {
		const outside = join(dir, 'outside');
		writeFileSync(outside, 'precious');
		const target = join(dir, 'initramfs.img');
		symlinkSync(outside, target);
		let caught: unknown;
		try {
			writeFileAtomic(target, 'evil');
		} catch (error) {
			caught = error;
		}
		expect(isDistKernelError(caught, 'fs.symlink')).toBe(true);
		expect(readFileSync(outside, 'utf8')).toBe('precious');
		expect(readdirSync(dir).sort()).toEqual(['initramfs.img', 'outside']);
	});

	it('reports a missing directory as a typed error', () => {
		expect(() => writeFileAtomic(join(dir, 'no', 'such', 'file'), 'x')).toThrow(/cannot write/);
	});
});
