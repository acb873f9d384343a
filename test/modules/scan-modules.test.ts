// Module tracking against synthetic VDB trees: several kernels, packages with and without dist-kernel, broken
// entries, paths with spaces.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readVdb } from '../../src/runtime/portage/vdb/read-vdb';
import { scanModules } from '../../src/runtime/portage/vdb/scan-modules';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { writeKernel, writeModulePackage, writeVdbPackage, writeVirtual } from './vdb-builder';

const KERNELS = ['sys-kernel/gentoo-kernel', 'sys-kernel/gentoo-kernel-bin', 'sys-kernel/vanilla-kernel'];
let tmp: TempRoot;

beforeEach(() => {
	tmp = makeTempRoot('dk-vdb-');
});
afterEach(() => tmp.cleanup());

function standardTree(): { old: string; cur: string } {
	const old = writeKernel(tmp.root, '6.1.10');
	const cur = writeKernel(tmp.root, '6.1.11');
	writeVirtual(tmp.root, '6.1.11');
	writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', cur, {
		initramfs: true,
		modules: ['extra/zfs.ko.xz', 'extra/spl.ko.xz'],
	});
	writeModulePackage(tmp.root, 'x11-drivers/nvidia-drivers-535.104', old, {
		distKernel: true,
		virtualPvr: '6.1.10',
		modules: ['video/nvidia.ko'],
	});
	writeModulePackage(tmp.root, 'net-vpn/wireguard-modules-1.0.20211208', old, {
		distKernel: false,
		modules: ['net/wireguard.ko'],
	});
	writeVdbPackage(tmp.root, { cpv: 'app-misc/hello-2.12', files: ['/usr/bin/hello'] });
	return { old, cur };
}

describe('scanModules', () => {
	it('finds kernels, module packages, the kernel each was built for, and the stale ones', () => {
		const { old, cur } = standardTree();
		const inv = scanModules(tmp.root, { kernelPackages: KERNELS });
		expect(inv.kernels.map((k) => k.kv)).toEqual([old, cur]);
		expect(inv.newest?.kv).toBe(cur);
		expect(inv.virtualVersion).toBe('6.1.11');
		const byKey = Object.fromEntries(inv.modules.map((m) => [m.key, m]));
		expect(Object.keys(byKey).sort()).toEqual([
			'net-vpn/wireguard-modules',
			'sys-fs/zfs-kmod',
			'x11-drivers/nvidia-drivers',
		]);
		expect(byKey['sys-fs/zfs-kmod']).toMatchObject({
			builtFor: cur,
			distKernel: true,
			initramfs: true,
			subSlot: '6.1.11',
		});
		expect(byKey['sys-fs/zfs-kmod']!.modules).toEqual([
			`/lib/modules/${cur}/extra/zfs.ko.xz`,
			`/lib/modules/${cur}/extra/spl.ko.xz`,
		]);
		expect(byKey['x11-drivers/nvidia-drivers']).toMatchObject({ builtFor: old, distKernel: true, initramfs: false });
		expect(byKey['net-vpn/wireguard-modules']).toMatchObject({ builtFor: old, distKernel: false });
		expect(inv.stale.map((s) => s.key).sort()).toEqual(['net-vpn/wireguard-modules', 'x11-drivers/nvidia-drivers']);
		const nvidia = inv.stale.find((s) => s.key === 'x11-drivers/nvidia-drivers')!;
		expect(nvidia.reasons.join('\n')).toContain(`newest installed kernel is ${cur}`);
		expect(nvidia.reasons.join('\n')).toContain('sub-slot 6.1.10 differs from the installed 6.1.11');
		const wg = inv.stale.find((s) => s.key === 'net-vpn/wireguard-modules')!;
		expect(wg.reasons.join('\n')).toContain('USE=dist-kernel is off');
	});

	it('maps the sub-slot through the kernel package version, also for -bin kernels with revisions', () => {
		const kv = writeKernel(tmp.root, '6.6.5', { key: 'sys-kernel/gentoo-kernel-bin', revision: '-r1' });
		writeVirtual(tmp.root, '6.6.5-r1');
		// A module that depends on the virtual but installs no files (USE=-modules): the sub-slot alone tells.
		writeVdbPackage(tmp.root, {
			cpv: 'sys-fs/zfs-kmod-2.2.2',
			use: ['dist-kernel'],
			iuse: ['dist-kernel', 'modules'],
			rdepend: 'virtual/dist-kernel:0/6.6.5-r1=',
		});
		const inv = scanModules(tmp.root, { kernelPackages: KERNELS });
		expect(inv.modules[0]).toMatchObject({ key: 'sys-fs/zfs-kmod', builtFor: kv, contentsKvs: [] });
		expect(inv.stale).toEqual([]);
	});

	it('reports a package built for a kernel that is gone, and a sub-slot that disagrees with CONTENTS', () => {
		const cur = writeKernel(tmp.root, '6.1.11');
		writeModulePackage(tmp.root, 'app-emulation/virtualbox-modules-7.0.12', '6.1.2-gentoo-dist', { distKernel: false });
		writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', '6.1.9-gentoo-dist', { virtualPvr: '6.1.11' });
		const inv = scanModules(tmp.root, { kernelPackages: KERNELS });
		const vbox = inv.stale.find((s) => s.key === 'app-emulation/virtualbox-modules')!;
		expect(vbox.reasons[0]).toContain('6.1.2-gentoo-dist, which is no longer installed');
		const zfs = inv.modules.find((m) => m.key === 'sys-fs/zfs-kmod')!;
		expect(zfs.builtFor).toBe('6.1.9-gentoo-dist');
		expect(zfs.notes[0]).toContain(`sub-slot 6.1.11 means kernel ${cur}`);
	});

	it('skips broken entries with a typed error and keeps scanning', () => {
		standardTree();
		writeVdbPackage(tmp.root, {
			cpv: 'sys-fs/broken-kmod-1.0',
			rdepend: 'virtual/dist-kernel:0/6.1.11=',
			rawContents: 'obj /lib/modules/6.1.11-gentoo-dist/x.ko nomtime\n',
		});
		writeVdbPackage(tmp.root, {
			cpv: 'sys-fs/badslot-kmod-1.0',
			rdepend: 'virtual/dist-kernel:0/6.1.11=',
			extra: { SLOT: '0/1/2\n' },
		});
		mkdirSync(tmp.path('var/db/pkg/sys-fs/-MERGING-zfs-kmod-2.2.1'), { recursive: true });
		mkdirSync(tmp.path('var/db/pkg/sys-fs/noversion'), { recursive: true });
		const inv = scanModules(tmp.root, { kernelPackages: KERNELS });
		expect(inv.broken.map((b) => [b.cpv, b.error.code]).sort()).toEqual([
			['sys-fs/badslot-kmod-1.0', 'vdb.parse'],
			['sys-fs/broken-kmod-1.0', 'vdb.parse'],
		]);
		expect(inv.modules.map((m) => m.key)).toContain('sys-fs/zfs-kmod');
		const all = readVdb(tmp.root);
		expect(all.broken.map((b) => b.cpv)).toContain('sys-fs/noversion');
	});

	it('reads CONTENTS paths with spaces', () => {
		const kv = writeKernel(tmp.root, '6.1.11');
		writeVdbPackage(tmp.root, {
			cpv: 'app-misc/odd-kmod-1',
			use: ['dist-kernel'],
			rdepend: 'virtual/dist-kernel:0/6.1.11=',
			files: [`/lib/modules/${kv}/extra/odd name.ko`, '/usr/share/doc/odd kmod/read me'],
			symlinks: [{ path: '/usr/lib/odd link', target: 'target with spaces' }],
		});
		const inv = scanModules(tmp.root, { kernelPackages: KERNELS });
		expect(inv.modules[0]!.modules).toEqual([`/lib/modules/${kv}/extra/odd name.ko`]);
		const pkg = readVdb(tmp.root).packages.find((p) => p.key === 'app-misc/odd-kmod')!;
		expect(pkg.contents).toContainEqual({
			type: 'sym',
			path: '/usr/lib/odd link',
			target: 'target with spaces',
			mtime: 1700000000,
		});
	});

	it('lists a kernel found only in /lib/modules', () => {
		mkdirSync(tmp.path('lib/modules/6.7.0-custom'), { recursive: true });
		writeFileSync(tmp.path('lib/modules/6.7.0-custom/vmlinuz'), 'k');
		mkdirSync(tmp.path('lib/modules/5.0.0-leftover'), { recursive: true });
		const inv = scanModules(tmp.root, { kernelPackages: KERNELS });
		expect(inv.kernels).toEqual([{ kv: '6.7.0-custom', modulesDir: true }]);
	});
});

describe('scan skip cache', () => {
	it('skips unchanged non-module entries on the next scan and notices a changed one', async () => {
		const { old } = standardTree();
		const first = scanModules(tmp.root, { kernelPackages: KERNELS, writeCache: true });
		const cache = JSON.parse(readFileSync(tmp.path('/var/cache/dist-kernel/module-scan.json'), 'utf8'));
		expect(Object.keys(cache.skipped)).toEqual(['app-misc/hello-2.12']);
		expect(scanModules(tmp.root, { kernelPackages: KERNELS }).modules).toEqual(first.modules);
		// The package starts owning a module (re-merged): its CONTENTS changes (size, whatever the clock), so it is
		// read again.
		writeVdbPackage(tmp.root, {
			cpv: 'app-misc/hello-2.12',
			files: ['/usr/bin/hello', `/lib/modules/${old}/extra/hello.ko`],
		});
		const again = scanModules(tmp.root, { kernelPackages: KERNELS, writeCache: true });
		expect(again.modules.map((m) => m.key)).toContain('app-misc/hello');
		// A different kernel package list does not trust the cache.
		expect(scanModules(tmp.root, { kernelPackages: ['sys-kernel/gentoo-kernel'] }).modules.map((m) => m.key)).toContain(
			'app-misc/hello',
		);
	});

	it('ignores a corrupt cache file', () => {
		standardTree();
		tmp.write('/var/cache/dist-kernel/module-scan.json', '{not json');
		expect(scanModules(tmp.root, { kernelPackages: KERNELS }).modules).toHaveLength(3);
	});
});
