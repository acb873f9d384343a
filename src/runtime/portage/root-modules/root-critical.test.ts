// Root-critical modules from /proc/mounts and from the current image, against synthetic roots (a newc cpio image
// written with cpio(1)); missing ones per kernel.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { writeKernel, writeModulePackage } from '../../../../test/modules/vdb-builder';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { scanModules } from '../vdb/scan-modules';
import { missingRootModules, rootCriticalModules, rootFsType } from './root-critical';
import { rootModuleError } from './root-module-error';

let tmp: TempRoot;
let a: string;
let b: string;

/** A plain newc initramfs holding `files` (paths inside the image). */
function writeImage(path: string, files: string[]): void {
	const dir = mkdtempSync(join(tmpdir(), 'dk-img-'));
	try {
		for (const f of files) {
			mkdirSync(join(dir, f, '..'), { recursive: true });
			writeFileSync(join(dir, f), 'x');
		}
		const image = execFileSync('bash', ['-c', 'find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet'], {
			cwd: dir,
			maxBuffer: 1 << 24,
		});
		mkdirSync(join(path, '..'), { recursive: true });
		writeFileSync(path, image);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

beforeEach(() => {
	tmp = makeTempRoot('dk-rootmod-');
	a = writeKernel(tmp.root, '6.1.10');
	b = writeKernel(tmp.root, '6.1.11');
	writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', a, {
		initramfs: true,
		modules: ['extra/zfs.ko', 'extra/spl.ko'],
	});
	tmp.write(`/lib/modules/${a}/extra/zfs.ko`, 'm');
	tmp.write(`/lib/modules/${a}/extra/spl.ko`, 'm');
});
afterEach(() => tmp.cleanup());

const ctx = () => runtimeContext(tmp.root, { env: { DIST_KERNEL_RUNNING_KV: '6.1.10-gentoo-dist' } });

describe('root-critical modules', () => {
	it('a zfs root needs zfs: missing for a kernel without it, named with the package to rebuild', async () => {
		tmp.write('/proc/mounts', 'rpool/ROOT/gentoo / zfs rw,xattr 0 0\n');
		expect(rootFsType(tmp.root)).toBe('zfs');
		const inventory = scanModules(tmp.root, { kernelPackages: ['sys-kernel/gentoo-kernel'] });
		const critical = await rootCriticalModules(ctx(), inventory, b);
		expect(critical).toEqual([{ name: 'zfs', why: 'the root file system is zfs', provider: 'sys-fs/zfs-kmod' }]);
		expect(missingRootModules(tmp.root, a, critical)).toEqual([]);
		const missing = missingRootModules(tmp.root, b, critical);
		expect(missing.map((m) => m.name)).toEqual(['zfs']);
		const error = rootModuleError(b, missing);
		expect(error.code).toBe('initramfs.root-module-missing');
		expect(error.hint).toContain('emerge --oneshot sys-fs/zfs-kmod');
		tmp.write(`/lib/modules/${b}/extra/zfs/zfs.ko.zst`, 'm');
		expect(missingRootModules(tmp.root, b, critical)).toEqual([]);
	});

	it('an ext4 root needs nothing out of tree; the running image names what it loads from extra/ and updates/', async () => {
		tmp.write('/proc/mounts', '/dev/sda2 / ext4 rw 0 0\n');
		const inventory = scanModules(tmp.root, { kernelPackages: ['sys-kernel/gentoo-kernel'] });
		expect(await rootCriticalModules(ctx(), inventory, `${b}-x`)).toEqual([]);
		writeImage(tmp.path(`/boot/initramfs-${a}.img`), [
			`usr/lib/modules/${a}/extra/spl.ko`,
			`usr/lib/modules/${a}/updates/dkms/mydrv.ko.xz`,
			`usr/lib/modules/${a}/kernel/fs/ext4/ext4.ko`,
		]);
		const critical = await rootCriticalModules(ctx(), inventory, b);
		expect(critical.map((m) => [m.name, m.provider, m.loadedBy])).toEqual([
			['spl', 'sys-fs/zfs-kmod', a],
			['mydrv', undefined, a],
		]);
		expect(critical[1]!.why).toBe(`the initramfs of ${a} loads it from /lib/modules/${a}/updates/dkms/mydrv.ko.xz`);
		const missing = missingRootModules(tmp.root, b, critical);
		expect(missing.map((m) => m.name)).toEqual(['spl', 'mydrv']);
		// spl has a package to rebuild; mydrv has none (unmerged, or never packaged): rebuilding a's image drops it
		const hint = rootModuleError(b, missing).hint!;
		expect(hint).toContain('emerge --oneshot sys-fs/zfs-kmod');
		expect(hint).toContain(
			`if mydrv was removed on purpose (no installed package provides it), rebuild the current image without it first: dist-kernel initramfs ${a}`,
		);
		expect(hint).not.toContain('if spl');
	});
});
