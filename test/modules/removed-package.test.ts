// `dist-kernel modules removed CAT/PF` (linux-mod-r1's pkg_postrm) as a real process on synthetic roots: which images
// hold the removed package's modules, and the refusal when the root file system is mounted with one of them. The
// rebuild itself (real dracut, real emerge --unmerge) is proven in test/portage/boot-guard-triggers.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { writeKernel, writeModulePackage, writeVirtual } from './vdb-builder';

let tmp: TempRoot;
let kv: string;

/** A gzip'd newc image holding the given module files for kv under extra/. */
function initramfsWith(modules: string[]): Buffer {
	const tree = join(tmp.root, `.tree-${Math.random().toString(16).slice(2)}`);
	mkdirSync(join(tree, 'usr/lib/modules', kv, 'extra'), { recursive: true });
	writeFileSync(join(tree, 'init'), '#!/bin/sh\n');
	for (const m of modules) writeFileSync(join(tree, 'usr/lib/modules', kv, 'extra', m), 'ko');
	const list = execFileSync('find', ['.', '-mindepth', '1'], { cwd: tree });
	return execFileSync('gzip', ['-c'], {
		input: execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: tree, input: list }),
	});
}

const run = (args: string[]) =>
	runBin(['--root', tmp.root, 'modules', 'removed', ...args], {
		env: { DIST_KERNEL_ELOG: '', DIST_KERNEL_RUNNING_KV: '0.0.0-none' },
	});

beforeEach(() => {
	tmp = makeTempRoot('dk-removed-');
	kv = writeKernel(tmp.root, '6.1.11');
	writeVirtual(tmp.root, '6.1.11');
	writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', kv, {
		initramfs: true,
		modules: ['extra/zfs.ko.xz', 'extra/spl.ko.xz'],
	});
	writeModulePackage(tmp.root, 'media-video/v4l2loopback-0.15.4', kv, {
		initramfs: false,
		modules: ['extra/v4l2loopback.ko'],
	});
	tmp.write(`/boot/vmlinuz-${kv}`, 'kernel');
	writeFileSync(tmp.path(`/boot/initramfs-${kv}.img`), initramfsWith(['zfs.ko.xz', 'spl.ko.xz']));
});
afterEach(() => tmp.cleanup());

describe('dist-kernel modules removed', () => {
	it('refuses to drop a module the root file system is mounted with: every image keeps it', async () => {
		tmp.write('/proc/mounts', 'rpool/ROOT/gentoo / zfs rw,relatime,xattr,posixacl 0 0\nproc /proc proc rw 0 0\n');
		const before = readFileSync(tmp.path(`/boot/initramfs-${kv}.img`));
		const result = await run(['sys-fs/zfs-kmod-2.2.0']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(
			`not rebuilding the images of ${kv} without zfs: the root file system is zfs, mounted with it; they keep it`,
		);
		expect(result.stderr).toContain('reinstall it (emerge --oneshot sys-fs/zfs-kmod)');
		expect(readFileSync(tmp.path(`/boot/initramfs-${kv}.img`)).equals(before)).toBe(true);
	});

	it('a package whose modules no image holds: nothing to rebuild', async () => {
		const result = await run(['media-video/v4l2loopback-0.15.4']);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain(
			'no installed image holds the modules of media-video/v4l2loopback-0.15.4 (v4l2loopback)',
		);
	});

	it('a package that is not installed is an error naming the manual way', async () => {
		const result = await run(['sys-fs/zfs-kmod-9.9']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('no installed module package sys-fs/zfs-kmod-9.9');
		expect(result.stderr).toContain('dist-kernel initramfs KV');
	});

	it('a --root that is no mounted system is not checked for /boot (Gentoo skips any ROOT)', async () => {
		// a temp root is no mount point: the /boot guard does not apply; covered in the real root (test/portage)
		tmp.write('/etc/fstab', 'UUID=ab /boot ext4 defaults 0 2\n');
		const result = await run(['media-video/v4l2loopback-0.15.4']);
		expect(result.code, result.stderr).toBe(0);
	});
});
