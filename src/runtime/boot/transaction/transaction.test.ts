import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { checkSpace } from './space';
import { BootTransaction, backupPathFor, JOURNAL_PATH, recoverBootTransaction } from './transaction';

let root: TempRoot;
let mounted: string | undefined;
afterEach(() => {
	if (mounted) execFileSync('umount', [mounted]);
	mounted = undefined;
	root.cleanup();
});

function oldSet(r: TempRoot): Record<string, string> {
	const files = { '/boot/vmlinuz-1.0': 'old kernel', '/boot/initramfs-1.0.img': 'old initramfs' };
	for (const [path, content] of Object.entries(files)) r.write(path, content);
	return files;
}

function bootListing(r: TempRoot): string[] {
	return readdirSync(r.path('/boot')).sort();
}

describe('BootTransaction', () => {
	it('replaces the set and removes the backups on commit', async () => {
		root = makeTempRoot();
		oldSet(root);
		const ctx = runtimeContext(root.root);
		await BootTransaction.run(ctx, 'install 1.0', async (t) => {
			t.write(root.path('/boot/vmlinuz-1.0'), 'new kernel');
			t.write(root.path('/boot/initramfs-1.0.img'), 'new initramfs');
			t.write(root.path('/boot/config-1.0'), 'new config');
		});
		expect(readFileSync(root.path('/boot/vmlinuz-1.0'), 'utf8')).toBe('new kernel');
		expect(bootListing(root)).toEqual(['config-1.0', 'initramfs-1.0.img', 'vmlinuz-1.0']);
		expect(existsSync(root.path(JOURNAL_PATH))).toBe(false);
	});

	it('restores the previous files byte for byte when a step fails', async () => {
		root = makeTempRoot();
		const old = oldSet(root);
		const ctx = runtimeContext(root.root);
		await expect(
			BootTransaction.run(ctx, 'install 1.0', async (t) => {
				t.write(root.path('/boot/vmlinuz-1.0'), 'new kernel');
				t.write(root.path('/boot/config-1.0'), 'new config');
				throw new Error('hook failed');
			}),
		).rejects.toThrow('hook failed');
		for (const [path, content] of Object.entries(old)) expect(readFileSync(root.path(path), 'utf8')).toBe(content);
		expect(bootListing(root)).toEqual(['initramfs-1.0.img', 'vmlinuz-1.0']);
	});

	it('rolls back a set interrupted before commit, on the next run', () => {
		root = makeTempRoot();
		const old = oldSet(root);
		const ctx = runtimeContext(root.root);
		// What a kill -9 between two writes leaves: journal "writing", one file new with its backup.
		const t = BootTransaction.begin(ctx, 'install 1.0');
		t.write(root.path('/boot/vmlinuz-1.0'), 'new kernel');
		t.protect(root.path('/boot/initramfs-1.0.img'));
		writeFileSync(root.path('/boot/.initramfs-1.0.img.dk-0badcafe.tmp'), 'partial');
		expect(recoverBootTransaction(ctx)).toBe('rolled-back');
		for (const [path, content] of Object.entries(old)) expect(readFileSync(root.path(path), 'utf8')).toBe(content);
		expect(bootListing(root)).toEqual(['initramfs-1.0.img', 'vmlinuz-1.0']);
		expect(recoverBootTransaction(ctx)).toBe('none');
	});

	it('keeps a committed set and drops its backups when interrupted after commit', () => {
		root = makeTempRoot();
		oldSet(root);
		const ctx = runtimeContext(root.root);
		const t = BootTransaction.begin(ctx, 'install 1.0');
		t.write(root.path('/boot/vmlinuz-1.0'), 'new kernel');
		t.write(root.path('/boot/initramfs-1.0.img'), 'new initramfs');
		// Simulate the kill right after the journal said "committed": backups still present.
		const journal = JSON.parse(readFileSync(root.path(JOURNAL_PATH), 'utf8'));
		writeFileSync(root.path(JOURNAL_PATH), JSON.stringify({ ...journal, state: 'committed' }));
		expect(existsSync(backupPathFor(root.path('/boot/vmlinuz-1.0')))).toBe(true);
		expect(recoverBootTransaction(ctx)).toBe('completed');
		expect(readFileSync(root.path('/boot/initramfs-1.0.img'), 'utf8')).toBe('new initramfs');
		expect(bootListing(root)).toEqual(['initramfs-1.0.img', 'vmlinuz-1.0']);
	});

	it('refuses to write through a planted symlink and leaves its target alone', async () => {
		root = makeTempRoot();
		const outside = root.write('/outside/secret', 'do not touch');
		mkdirSync(root.path('/boot'), { recursive: true });
		symlinkSync(outside, root.path('/boot/vmlinuz-1.0'));
		const ctx = runtimeContext(root.root);
		await expect(
			BootTransaction.run(ctx, 'install 1.0', async (t) => t.write(root.path('/boot/vmlinuz-1.0'), 'new')),
		).rejects.toMatchObject({ code: 'boot.symlink' });
		expect(readFileSync(outside, 'utf8')).toBe('do not touch');
	});

	it('changes nothing under --dry-run', async () => {
		root = makeTempRoot();
		const old = oldSet(root);
		const ctx = runtimeContext(root.root, { dryRun: true });
		await BootTransaction.run(ctx, 'install 1.0', async (t) => {
			t.write(root.path('/boot/vmlinuz-1.0'), 'new kernel');
			t.remove(root.path('/boot/initramfs-1.0.img'));
		});
		for (const [path, content] of Object.entries(old)) expect(readFileSync(root.path(path), 'utf8')).toBe(content);
		expect(existsSync(root.path('/var'))).toBe(false);
		expect(ctx.lines.join('\n')).toContain(`would write ${root.path('/boot/vmlinuz-1.0')}`);
	});
});

describe('on a full filesystem (real tmpfs)', () => {
	function tinyBoot(r: TempRoot, size: string): void {
		mkdirSync(r.path('/boot'), { recursive: true });
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'dist-kernel-test', r.path('/boot')]);
		mounted = r.path('/boot');
	}

	it('the pre-flight check refuses a set that does not fit, naming the filesystem', () => {
		root = makeTempRoot();
		tinyBoot(root, '1M');
		expect(() => checkSpace([{ dir: root.path('/boot'), bytes: 4 * 1024 * 1024, shown: '/boot' }])).toThrow(
			/not enough free space on \/boot: need 4\.1 MiB, 1\.0 MiB available/,
		);
		expect(() => checkSpace([{ dir: root.path('/boot'), bytes: 100 * 1024, shown: '/boot' }])).not.toThrow();
	});

	it('ENOSPC in the middle of a set rolls back to the identical previous files', async () => {
		root = makeTempRoot();
		tinyBoot(root, '2M');
		const oldKernel = Buffer.alloc(300 * 1024, 1);
		const oldInitrd = Buffer.alloc(300 * 1024, 2);
		writeFileSync(root.path('/boot/vmlinuz-1.0'), oldKernel);
		writeFileSync(root.path('/boot/initramfs-1.0.img'), oldInitrd);
		const ctx = runtimeContext(root.root);
		await expect(
			BootTransaction.run(ctx, 'install 1.0', async (t) => {
				t.write(root.path('/boot/vmlinuz-1.0'), Buffer.alloc(600 * 1024, 3));
				t.write(root.path('/boot/initramfs-1.0.img'), Buffer.alloc(1500 * 1024, 4));
			}),
		).rejects.toMatchObject({ code: 'fs.no-space' });
		expect(readFileSync(root.path('/boot/vmlinuz-1.0')).equals(oldKernel)).toBe(true);
		expect(readFileSync(root.path('/boot/initramfs-1.0.img')).equals(oldInitrd)).toBe(true);
		expect(readdirSync(root.path('/boot')).sort()).toEqual(['initramfs-1.0.img', 'vmlinuz-1.0']);
		expect(existsSync(join(root.root, JOURNAL_PATH))).toBe(false);
	});
});
