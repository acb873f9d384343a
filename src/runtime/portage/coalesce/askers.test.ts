// laterAskersFor over synthetic VDBs and resume lists: which packages still to merge will ask for which kernel.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { writeKernel, writeModulePackage, writeVdbPackage, writeVirtual } from '../../../../test/modules/vdb-builder';
import { parseMtimedb } from '../../../parsers/mtimedb';
import { scanModules } from '../vdb/scan-modules';
import { laterAskersFor, targetKernel } from './askers';

let tmp: TempRoot;
let a: string;
let b: string;
const kernelPackages = ['sys-kernel/gentoo-kernel'];

function list(cpvs: string[]) {
	return parseMtimedb(JSON.stringify({ resume: { mergelist: cpvs.map((c) => ['ebuild', '/', c, 'merge']) } })).resume!
		.mergelist;
}

function trigger(cpv: string, use = ['dist-kernel', 'initramfs']): void {
	writeVdbPackage(tmp.root, {
		cpv,
		use,
		iuse: ['dist-kernel', '+initramfs'],
		rdepend: 'virtual/dist-kernel',
		inherited: ['dist-kernel-utils', 'linux-info'],
		files: ['/lib/firmware/x.bin'],
	});
}

beforeEach(() => {
	tmp = makeTempRoot('dk-askers-');
	a = writeKernel(tmp.root, '6.1.10');
	b = writeKernel(tmp.root, '6.1.11');
	writeVirtual(tmp.root, '6.1.11');
	writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', b, { initramfs: true });
	writeModulePackage(tmp.root, 'x11-drivers/nvidia-drivers-535.1', b, { initramfs: false });
	trigger('sys-kernel/linux-firmware-20260101');
	trigger('sys-firmware/intel-microcode-20260101_p20260101');
	trigger('sys-firmware/other-firmware-1', ['dist-kernel']);
});
afterEach(() => tmp.cleanup());

describe('laterAskersFor', () => {
	it('classifies triggers: module packages ask for their target kernel, firmware and microcode for every kernel', () => {
		const inventory = scanModules(tmp.root, { kernelPackages });
		const scopes = Object.fromEntries(inventory.modules.map((m) => [m.key, m.asks]));
		expect(scopes).toEqual({
			'sys-fs/zfs-kmod': 'target',
			'x11-drivers/nvidia-drivers': undefined,
			'sys-kernel/linux-firmware': 'all',
			'sys-firmware/intel-microcode': 'all',
			'sys-firmware/other-firmware': undefined,
		});
		const l = list([
			'sys-kernel/linux-firmware-20260201',
			'sys-firmware/intel-microcode-20260201_p20260201',
			'sys-fs/zfs-kmod-2.2.1',
			'x11-drivers/nvidia-drivers-535.2',
			'sys-firmware/other-firmware-2',
		]);
		const others = l.slice(1);
		expect(targetKernel(l, inventory)).toBe(b);
		expect(laterAskersFor(a, others, l, inventory, kernelPackages)).toEqual(['sys-firmware/intel-microcode']);
		expect(laterAskersFor(b, others, l, inventory, kernelPackages)).toEqual([
			'sys-firmware/intel-microcode',
			'sys-fs/zfs-kmod',
		]);
	});

	it('module rebuilds follow the virtual in the merge list; a kernel package rebuild asks for its own release', () => {
		const inventory = scanModules(tmp.root, { kernelPackages });
		const toOld = list(['virtual/dist-kernel-6.1.10', 'sys-fs/zfs-kmod-2.2.0', 'sys-kernel/gentoo-kernel-6.1.10-r1']);
		expect(laterAskersFor(a, toOld, toOld, inventory, kernelPackages)).toEqual([
			'sys-fs/zfs-kmod',
			'sys-kernel/gentoo-kernel',
		]);
		expect(laterAskersFor(b, toOld, toOld, inventory, kernelPackages)).toEqual([]);
		// The virtual names a kernel not merged yet: the rebuilds ask for none of the installed ones.
		const toNew = list(['sys-kernel/gentoo-kernel-6.1.12', 'virtual/dist-kernel-6.1.12', 'sys-fs/zfs-kmod-2.2.0']);
		expect(targetKernel(toNew, inventory)).toBeUndefined();
		expect(laterAskersFor(b, toNew, toNew, inventory, kernelPackages)).toEqual([]);
	});
});
