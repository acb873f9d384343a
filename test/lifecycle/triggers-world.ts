// A temp root with three kernels and every kind of initramfs trigger Gentoo has, for test/lifecycle/triggers.test.ts
// and the bench: kernels A and B installed, kernel C merged by the emerge; module packages with
// USE="dist-kernel initramfs" (linux-mod-r1, built for the kernel virtual/dist-kernel selects); linux-firmware and
// intel-microcode with USE="dist-kernel initramfs", whose pkg_postinst asks with `--all` as Gentoo's ebuilds do.
// The phases run our generated eclasses under the PMS shim (emerge-sim.ts); `dracut` on PATH logs each run's --kver
// and either runs the real dracut or writes a placeholder image.
import { execFileSync } from 'node:child_process';
import {
	chmodSync,
	cpSync,
	existsSync,
	linkSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { makeDemoRoot } from '../demo/demo-root';
import { debianHeaders, makeSandbox, q, type Sandbox } from '../eclass/harness';
import { testBin } from '../helpers/bin';
import type { DebianKernel } from '../helpers/debian-kernel';
import { writeVdbPackage } from '../modules/vdb-builder';
import type { SimContext, SimPackage } from './emerge-sim';

export const FIRMWARE = 'sys-kernel/linux-firmware';
export const MICROCODE = 'sys-firmware/intel-microcode';
/** A firmware file the r8169 driver asks for (`modinfo -F firmware`): dracut adds it beside the driver. */
export const FIRMWARE_FILE = 'rtl_nic/rtl8168h-2.fw';
export const MICROCODE_FILE = 'intel-ucode/06-8e-0a';

export interface Kernel {
	pv: string;
	kv: string;
	cpv: string;
}

export interface ModuleSpec {
	/** CAT/PN */
	key: string;
	/** Module file name without .ko. */
	module: string;
}

export interface World {
	box: Sandbox;
	root: string;
	sim: SimContext;
	env: NodeJS.ProcessEnv;
	kernels: { a: Kernel; b: Kernel; c: Kernel };
	modules: ModuleSpec[];
	/** --kver of each dracut run so far. */
	dracutRuns(): string[];
	/** The full argument list of each dracut run so far. */
	dracutArgs(): string[];
	cleanup(): void;
}

export interface WorldOptions {
	/** Real dracut; otherwise a placeholder image. */
	realDracut: boolean;
	coalesce?: boolean;
	modules?: ModuleSpec[];
	/** Install the module packages (built for kernel B) before the emerge; default true. */
	modulesInstalled?: boolean;
	/** A root file system type written to /proc/mounts under the root. */
	rootFs?: string;
}

export const DEFAULT_MODULES: ModuleSpec[] = [
	{ key: 'sys-fs/zfs-kmod', module: 'zfs' },
	{ key: 'sys-fs/bcachefs-kmod', module: 'bcachefs' },
];

function kernelsFrom(kernel: DebianKernel): World['kernels'] {
	const match = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(kernel.kv);
	if (!match) throw new Error(`unexpected Debian kernel release ${kernel.kv}`);
	const make = (delta: number): Kernel => {
		const pv = `${match[1]}.${match[2]}.${Number(match[3]) + delta}`;
		return { pv, kv: `${pv}${match[4]}`, cpv: `sys-kernel/gentoo-kernel-${pv}` };
	};
	return { a: make(0), b: make(1), c: make(2) };
}

/** A tiny real module (drivers/net/dummy.ko) under another name: enough for depmod, dracut and our reader. */
function moduleSource(kernel: DebianKernel): string {
	const path = join(kernel.modulesDir, 'kernel', 'drivers', 'net', 'dummy.ko');
	if (!existsSync(path)) throw new Error(`no ${path} in the Debian kernel`);
	return path;
}

/**
 * The modules the kernels here keep: depmod over the whole Debian tree takes seconds, and the eclasses run it once
 * per module package. r8169 (and what it depends on) is the driver whose firmware dracut adds.
 */
const KERNEL_MODULES = [
	'kernel/drivers/net/dummy.ko',
	'kernel/drivers/net/ethernet/realtek/r8169.ko',
	'kernel/drivers/net/phy/mdio_devres.ko',
	'kernel/drivers/net/phy/libphy.ko',
];

/** The kernel as linkKernelInto places it (image, /usr/src tree), with only KERNEL_MODULES under /lib/modules. */
function placeKernel(kernel: DebianKernel, root: string, kv: string): void {
	const dir = join(root, 'lib', 'modules', kv);
	for (const rel of [...KERNEL_MODULES, 'modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
		mkdirSync(join(dir, rel, '..'), { recursive: true });
		linkSync(join(kernel.modulesDir, rel), join(dir, rel));
	}
	linkSync(kernel.vmlinuz, join(dir, 'vmlinuz'));
	const src = join(root, 'usr', 'src', `linux-${kv}`);
	mkdirSync(join(src, 'arch', 'x86', 'boot'), { recursive: true });
	linkSync(kernel.vmlinuz, join(src, 'arch', 'x86', 'boot', 'bzImage'));
	for (const [from, to] of [
		[`config-${kernel.kv}`, '.config'],
		[`System.map-${kernel.kv}`, 'System.map'],
	] as const) {
		if (existsSync(join(kernel.dir, 'boot', from))) linkSync(join(kernel.dir, 'boot', from), join(src, to));
	}
	execFileSync('depmod', ['-b', root, kv]);
}

function put(root: string, path: string, content: string | Buffer): void {
	mkdirSync(join(root, path, '..'), { recursive: true });
	writeFileSync(join(root, path), content);
}

export function makeWorld(kernel: DebianKernel, options: WorldOptions): World {
	const box = makeSandbox();
	const root = join(box.dir, 'root');
	const kernels = kernelsFrom(kernel);
	const modules = options.modules ?? DEFAULT_MODULES;
	makeDemoRoot(root, { uki: false });
	put(
		root,
		'/etc/dracut.conf.d/20-triggers.conf',
		`add_drivers+=" r8169 "\nfw_dir="${root}/lib/firmware"\nearly_microcode="yes"\n`,
	);
	put(
		root,
		'/etc/dist-kernel/dist-kernel.conf',
		`install-backend = builtin\nkernel-packages = sys-kernel/gentoo-kernel\n${options.coalesce === false ? 'coalesce-initramfs = no\n' : ''}`,
	);
	if (options.rootFs)
		put(root, '/proc/mounts', `rootpool/ROOT/gentoo / ${options.rootFs} rw,relatime 0 0\nproc /proc proc rw 0 0\n`);
	put(root, `/lib/firmware/${FIRMWARE_FILE.replace('8168h-2', '8168g-2')}`, 'old firmware\n');

	// Kernels A and B, installed and bootable (placeholder images: every final image is rebuilt and read back).
	for (const k of [kernels.a, kernels.b]) {
		placeKernel(kernel, root, k.kv);
		writeVdbPackage(root, {
			cpv: k.cpv,
			slot: k.pv,
			use: ['amd64', 'initramfs'],
			iuse: ['+initramfs'],
			inherited: ['kernel-install', 'dist-kernel-utils'],
			files: [`/lib/modules/${k.kv}/vmlinuz`, `/lib/modules/${k.kv}/modules.builtin`],
		});
		cpSync(kernel.vmlinuz, join(root, 'boot', `vmlinuz-${k.kv}`));
		put(root, `/boot/initramfs-${k.kv}.img`, 'old initramfs\n');
	}
	writeVdbPackage(root, {
		cpv: `virtual/dist-kernel-${kernels.b.pv}`,
		slot: `0/${kernels.b.pv}`,
		rdepend: `|| ( ~sys-kernel/gentoo-kernel-${kernels.b.pv} )`,
		repository: 'dist-kernel',
	});
	if (options.modulesInstalled !== false) {
		for (const m of modules) {
			const file = `/lib/modules/${kernels.b.kv}/extra/${m.module}.ko`;
			cpSync(moduleSource(kernel), join(root, file));
			writeVdbPackage(root, {
				...modulePackageVdb(m, kernels.b.pv),
				cpv: `${m.key}-1`,
				files: [file, `/usr/lib/dracut/dracut.conf.d/10-${m.key.split('/')[1]}.conf`],
			});
		}
	}
	for (const [key, version] of [
		[FIRMWARE, '20260101'],
		[MICROCODE, '20260101_p20260101'],
	] as const) {
		writeVdbPackage(root, { cpv: `${key}-${version}`, ...triggerVdb() });
	}

	const bin = join(box.dir, 'bin');
	mkdirSync(bin);
	const dracutLog = join(box.dir, 'dracut-runs.log');
	writeFileSync(
		join(bin, 'dist-kernel'),
		`#!/bin/sh\nexec ${q(process.execPath)} ${q(testBin())} --root ${q(root)} "$@"\n`,
	);
	writeFileSync(
		join(bin, 'dracut'),
		[
			'#!/bin/bash',
			'kver=; prev=',
			'for a in "$@"; do [[ $prev == --kver ]] && kver=$a; prev=$a; done',
			`printf '%s\\n' "$kver" >> ${q(dracutLog)}`,
			`printf '%s\\n' "$*" >> ${q(`${dracutLog}.args`)}`,
			// DK_REAL_DRACUT=1: the real one for this call (e.g. to install a kernel as a real UKI beforehand).
			options.realDracut
				? 'exec /usr/bin/dracut "$@"'
				: '[[ ${DK_REAL_DRACUT:-} == 1 ]] && exec /usr/bin/dracut "$@"\n' +
					'printf "placeholder image for %s\\n" "$kver" > "${@: -1}"',
			'',
		].join('\n'),
	);
	chmodSync(join(bin, 'dist-kernel'), 0o755);
	chmodSync(join(bin, 'dracut'), 0o755);
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
		DIST_KERNEL_RUNTIME: join(bin, 'dist-kernel'),
		NO_COLOR: '1',
		DIST_KERNEL_RUNNING_KV: kernels.a.kv,
	};
	const sim: SimContext = { root, work: box.dir, eclassDirs: [box.eclassDir], env };
	return {
		box,
		root,
		sim,
		env,
		kernels,
		modules,
		dracutArgs: () =>
			existsSync(`${dracutLog}.args`) ? readFileSync(`${dracutLog}.args`, 'utf8').split('\n').filter(Boolean) : [],
		dracutRuns: () => (existsSync(dracutLog) ? readFileSync(dracutLog, 'utf8').split('\n').filter(Boolean) : []),
		cleanup: () => box.cleanup(),
	};
}

function modulePackageVdb(_m: ModuleSpec, virtualPv: string) {
	return {
		use: ['amd64', 'dist-kernel', 'initramfs'],
		iuse: ['dist-kernel', '+initramfs', 'modules-compress'],
		rdepend: `sys-apps/kmod[tools] virtual/dist-kernel:0/${virtualPv}=`,
		inherited: ['linux-info', 'linux-mod-r1', 'dist-kernel-utils'],
	};
}

function triggerVdb() {
	return {
		use: ['amd64', 'dist-kernel', 'initramfs', 'redistributable', 'split-ucode'],
		iuse: ['dist-kernel', '+initramfs', '+redistributable', '+split-ucode'],
		rdepend: 'virtual/dist-kernel app-alternatives/cpio',
		inherited: ['dist-kernel-utils', 'linux-info', 'mount-boot', 'savedconfig'],
	};
}

/** Every file of a tree as CONTENTS paths. */
function treeFiles(base: string, systemDir: string): string[] {
	return (readdirSync(join(base, systemDir), { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
		.filter((e) => !e.isDirectory())
		.map((e) => `${e.parentPath.slice(base.length)}/${e.name}`);
}

/** The kernel package for kernel C: image, VDB entry, kernel-install phases. */
export function kernelPackage(world: World, kernel: DebianKernel): SimPackage {
	const k = world.kernels.c;
	const image = join(world.box.dir, `image-kernel-${k.pv}`);
	const ed = join(image, world.root);
	rmSync(image, { recursive: true, force: true });
	mkdirSync(ed, { recursive: true });
	placeKernel(kernel, ed, k.kv);
	return {
		cpv: k.cpv,
		prelude: [
			`PN=gentoo-kernel PV=${q(k.pv)} PVR=${q(k.pv)} P=gentoo-kernel-${q(k.pv)} SLOT=${q(k.pv)}`,
			'inherit kernel-install',
			`KV_FULL=${q(k.kv)}`,
		].join('\n'),
		image,
		preinst: 'EBUILD_PHASE=preinst pkg_preinst',
		postinst: 'EBUILD_PHASE=postinst pkg_postinst',
		vdb: {
			slot: k.pv,
			use: ['amd64', 'initramfs'],
			iuse: ['+initramfs'],
			inherited: ['kernel-install', 'dist-kernel-utils'],
			files: [...treeFiles(ed, `/lib/modules/${k.kv}`), ...treeFiles(ed, `/usr/src/linux-${k.kv}`)],
		},
		env: { SHIM_INSTALLED: '' },
	};
}

export function virtualPackage(world: World): SimPackage {
	const { b, c } = world.kernels;
	return {
		cpv: `virtual/dist-kernel-${c.pv}`,
		vdb: { slot: `0/${c.pv}`, rdepend: `|| ( ~sys-kernel/gentoo-kernel-${c.pv} )`, repository: 'dist-kernel' },
		replaces: [`virtual/dist-kernel-${b.pv}`],
	};
}

/** A module package rebuilt for kernel C (linux-mod-r1 with MODULES_INITRAMFS_IUSE=+initramfs). */
export function modulePackage(
	world: World,
	kernel: DebianKernel,
	m: ModuleSpec,
	options: { initramfs?: boolean } = {},
): SimPackage {
	const { c } = world.kernels;
	const pn = m.key.split('/')[1]!;
	const image = join(world.box.dir, `image-${pn}`);
	rmSync(image, { recursive: true, force: true });
	const file = `/lib/modules/${c.kv}/extra/${m.module}.ko`;
	const conf = `/usr/lib/dracut/dracut.conf.d/10-${pn}.conf`;
	put(join(image, world.root), file, readFileSync(moduleSource(kernel)));
	put(join(image, world.root), conf, `add_drivers+=" ${m.module} "\n`);
	const headers = debianHeaders();
	const initramfs = options.initramfs !== false;
	const vdb = modulePackageVdb(m, c.pv);
	return {
		cpv: `${m.key}-2`,
		prelude: [
			`PN=${pn} PV=2 PVR=2 P=${pn}-2 SLOT=0`,
			'MODULES_INITRAMFS_IUSE=+initramfs',
			'inherit linux-mod-r1',
			`KERNEL_DIR=${q(headers.build)}`,
			'EBUILD_PHASE=setup linux-mod-r1_pkg_setup',
			`KV_FULL=${q(c.kv)} KV_DIR=${q(join(world.root, 'usr', 'src', `linux-${c.kv}`))}`,
			'_MODULES_GLOBAL[ran:post_process]=1',
		].join('\n'),
		image,
		postinst: 'EBUILD_PHASE=postinst linux-mod-r1_pkg_postinst',
		vdb: { ...vdb, use: initramfs ? vdb.use : vdb.use.filter((u) => u !== 'initramfs'), files: [file, conf] },
		replaces: [`${m.key}-1`],
		env: { USE: initramfs ? 'dist-kernel initramfs' : 'dist-kernel', SHIM_INSTALLED: `virtual/dist-kernel-${c.pv}` },
	};
}

/**
 * linux-firmware or intel-microcode with USE="dist-kernel initramfs": a new file under /lib/firmware, and the
 * pkg_postinst of Gentoo's ebuilds: `dist-kernel_reinstall_initramfs "${KV_DIR}" "${KV_FULL}" --all` (KV_* from
 * linux-info: the kernel /usr/src/linux points at).
 */
export function triggerPackage(world: World, key: typeof FIRMWARE | typeof MICROCODE): SimPackage {
	const pn = key.split('/')[1]!;
	const image = join(world.box.dir, `image-${pn}`);
	rmSync(image, { recursive: true, force: true });
	const file = key === FIRMWARE ? `/lib/firmware/${FIRMWARE_FILE}` : `/lib/firmware/${MICROCODE_FILE}`;
	put(join(image, world.root), file, key === FIRMWARE ? 'new firmware\n' : Buffer.alloc(3072, 0x5a));
	const version = key === FIRMWARE ? '20260201' : '20260201_p20260201';
	const { c } = world.kernels;
	return {
		cpv: `${key}-${version}`,
		prelude: [
			`PN=${pn} PV=${version} PVR=${version} P=${pn}-${version} SLOT=0`,
			'IUSE="dist-kernel +initramfs"',
			'inherit dist-kernel-utils',
			`KV_FULL=${q(c.kv)} KV_DIR=${q(join(world.root, 'usr', 'src', `linux-${c.kv}`))}`,
		].join('\n'),
		image,
		postinst: [
			'if use initramfs && use dist-kernel; then',
			'\tdist-kernel_reinstall_initramfs "${KV_DIR}" "${KV_FULL}" --all',
			'fi',
		].join('\n'),
		vdb: { ...triggerVdb(), files: [file] },
		replaces: [`${key}-${key === FIRMWARE ? '20260101' : '20260101_p20260101'}`],
		env: { USE: 'dist-kernel initramfs' },
	};
}

/** dracut runs per kernel release. */
export function runsPerKernel(runs: readonly string[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const kv of runs) out[kv] = (out[kv] ?? 0) + 1;
	return out;
}
