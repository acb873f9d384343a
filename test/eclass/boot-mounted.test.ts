// The /boot-mounted guard of our eclasses, as Gentoo's: they inherit ::gentoo's mount-boot-utils (the real one,
// ../shared/vendor/gentoo-eclasses) and call mount-boot_check_status in the phases Gentoo's eclasses call it:
// kernel-install's pkg_pretend and linux-mod-r1's pkg_setup warn, dist-kernel_install_kernel and
// dist-kernel_reinstall_initramfs refuse (nothing reaches the runtime) and say to mount it, then `emerge --config`.
// mount-boot_check_status reads the real /etc/fstab, /proc/mounts and /sys/firmware/efi with ROOT=/, so each case
// runs the eclasses under the PMS shim inside a throw-away root (test/portage/throwaway-root.ts: a private mount
// namespace, an overlay over /, chroot), where /etc/fstab is written and /boot, the ESP and /sys/firmware/efi are
// mounted without touching this machine's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoot, type ThrowawayRoot, whyNoRoot } from '../portage/throwaway-root';
import { GENTOO_ECLASSES, makeSandbox, q, type Sandbox, SHIM, STAND_INS } from './harness';

const why = whyNoRoot();
let box: Sandbox;
const roots: ThrowawayRoot[] = [];
beforeAll(() => {
	box = makeSandbox();
});
afterAll(() => {
	for (const root of roots) root.cleanup();
	box?.cleanup();
});

const KV = '6.6.30-gentoo-dist';
const KERNEL = `sys-kernel/gentoo-kernel-6.6.30`;
const TREE = `/usr/src/linux-${KV}`;
const KERNEL_PKG =
	'EAPI=8 CATEGORY=sys-kernel PN=gentoo-kernel PV=6.6.30 PVR=6.6.30 PF=gentoo-kernel-6.6.30 P=gentoo-kernel-6.6.30 SLOT=6.6.30';
const MODULE_PKG = 'EAPI=8 CATEGORY=sys-fs PN=zfs-kmod PV=2.3.6 PVR=2.3.6 PF=zfs-kmod-2.3.6 P=zfs-kmod-2.3.6 SLOT=0';

/** What each phase call printed (shim message log), how it ended, and the runtime calls it made. */
interface Call {
	code: number;
	messages: { level: string; text: string }[];
	texts(level: string): string[];
	runtimeCalls: string[][];
}

/** The phase calls of one case, each in its own bash under the shim (a `die` ends only that call). */
const CALLS = {
	pretend: `${KERNEL_PKG}\ninherit kernel-install\nKV_FULL=${KV}\nUSE=initramfs\npkg_pretend`,
	install: `${KERNEL_PKG}\ninherit kernel-install\nKV_FULL=${KV}\ndist-kernel_install_kernel ${KV} ${TREE}/arch/x86/boot/bzImage ${TREE}/System.map`,
	modulesSetup: `${MODULE_PKG}\nMODULES_INITRAMFS_IUSE=+initramfs\ninherit linux-mod-r1\nUSE="dist-kernel initramfs"\nMERGE_TYPE=binary\nlinux-mod-r1_pkg_setup`,
	modulesImage: `${MODULE_PKG}\nMODULES_INITRAMFS_IUSE=+initramfs\ninherit linux-mod-r1\nUSE="dist-kernel initramfs"\ndist-kernel_reinstall_initramfs ${TREE} ${KV}`,
} as const;

/**
 * Run every phase call in a fresh throw-away root after `setup` (bash, as root inside the root: /etc/fstab, mounts).
 * `env` adds variables (DONT_MOUNT_BOOT).
 */
async function runCase(
	name: string,
	setup: string,
	env: Record<string, string> = {},
): Promise<Record<keyof typeof CALLS, Call>> {
	if (why) throw new Error(why);
	const root = createRoot({ prefix: 'dk-boot-guard-' });
	roots.push(root);
	// a merged kernel tree with Gentoo's identifier file, which names what `emerge --config` reinstalls
	root.write(`${TREE}/arch/x86/boot/bzImage`, 'kernel image');
	root.write(`${TREE}/System.map`, '');
	root.write(`${TREE}/dist-kernel`, `${KERNEL}:6.6.30\n`);
	const exports = Object.entries({
		EPREFIX: '',
		ROOT: '',
		SHIM_ECLASSDIRS: `${box.eclassDir}:${STAND_INS}:${GENTOO_ECLASSES}`,
		DIST_KERNEL_RUNTIME: box.fakeRuntime,
		LC_ALL: 'C',
		...env,
	}).map(([k, v]) => `export ${k}=${q(v)}`);
	const script = [
		'set -u',
		setup,
		...exports,
		...Object.entries(CALLS).flatMap(([call, body]) => {
			const dir = `/var/tmp/dk-guard/${call}`;
			return [
				`mkdir -p ${dir}`,
				`T=${dir}/T D=${dir}/image WORKDIR=${dir}/work FAKE_RUNTIME_LOG=${dir}/runtime.log bash -c ${q(`source ${q(SHIM)}\n${body}`)} > ${dir}/output 2>&1`,
				`echo $? > ${dir}/code`,
			];
		}),
	].join('\n');
	const result = await root.run(name, script);
	expect(result.code, result.output).toBe(0);
	const calls = {} as Record<keyof typeof CALLS, Call>;
	for (const call of Object.keys(CALLS) as (keyof typeof CALLS)[]) {
		const dir = `/var/tmp/dk-guard/${call}`;
		const log = root.exists(`${dir}/T/shim-messages.log`) ? root.read(`${dir}/T/shim-messages.log`) : '';
		const messages = log
			.split('\n')
			.filter((l) => l.length > 0)
			.map((l) => ({ level: l.slice(0, l.indexOf('\t')), text: l.slice(l.indexOf('\t') + 1) }));
		calls[call] = {
			code: Number(root.read(`${dir}/code`).trim()),
			messages,
			texts: (level) => messages.filter((m) => m.level === level).map((m) => m.text),
			runtimeCalls: root.exists(`${dir}/runtime.log`)
				? root
						.read(`${dir}/runtime.log`)
						.split('\n')
						.filter((l) => l.length > 0)
						.map((l) => l.split('\x1f').slice(0, -1))
				: [],
		};
	}
	return calls;
}

const FSTAB_BOOT = "printf 'UUID=0123-4567 /boot vfat defaults 0 2\\n' > /etc/fstab";

it('a throw-away root can be built here (root, unshare, overlayfs over /, chroot)', () => {
	expect(why).toBeUndefined();
});

describe('/boot listed in /etc/fstab but not mounted', () => {
	let calls: Record<keyof typeof CALLS, Call>;
	beforeAll(async () => {
		calls = await runCase('boot-unmounted', FSTAB_BOOT);
	});

	it('kernel-install pkg_pretend and linux-mod-r1 pkg_setup (USE="dist-kernel initramfs") say so, and go on', () => {
		for (const call of [calls.pretend, calls.modulesSetup]) {
			expect(call.code).toBe(0);
			expect(call.texts('ERROR')).toEqual([
				'Your /boot partition is not mounted',
				'Please mount it and retry.',
				'/boot not mounted',
			]);
		}
	});

	it('the kernel install refuses before the runtime: mount it, then emerge --config of the kernel', () => {
		const call = calls.install;
		expect(call.code).toBe(1);
		expect(call.runtimeCalls).toEqual([]);
		expect(call.texts('ERROR')).toEqual([
			'Your /boot partition is not mounted',
			'Please mount it and retry.',
			'/boot not mounted',
			`Installing kernel ${KV} was not done: nothing was written to /boot.`,
			'Mount the partition named above read-write first.',
			'After fixing the cause, finish the installation with:',
			`    emerge --config '=${KERNEL}'`,
		]);
		expect(call.texts('DIE')).toEqual(['Kernel install failed, please fix the problems and run emerge --config']);
	});

	it("a module package's image rebuild refuses the same way, naming the kernel package to reconfigure", () => {
		const call = calls.modulesImage;
		expect(call.code).toBe(1);
		expect(call.runtimeCalls).toEqual([]);
		expect(call.texts('ERROR')).toContain(`    emerge --config '=${KERNEL}'`);
		expect(call.texts('DIE')).toEqual(['Initramfs rebuild failed, please mount /boot and run emerge --config']);
	});
});

it('/boot mounted read-only: the kernel install and the image rebuild refuse', async () => {
	const calls = await runCase('boot-ro', `${FSTAB_BOOT}\nmount -t tmpfs -o ro dk-boot /boot`);
	for (const call of [calls.install, calls.modulesImage]) {
		expect(call.code).toBe(1);
		expect(call.runtimeCalls).toEqual([]);
		expect(call.texts('ERROR')).toContain('/boot mounted read-only');
	}
});

it('on a UEFI system the ESP (/efi) mounted read-only is refused too', async () => {
	const calls = await runCase(
		'esp-ro',
		[
			"printf 'UUID=0123-4567 /efi vfat defaults 0 2\\n' > /etc/fstab",
			// a UEFI boot as mount-boot-utils detects it, in this private namespace only
			'mount -t tmpfs dk-firmware /sys/firmware && mkdir /sys/firmware/efi',
			'mkdir -p /efi && mount -t tmpfs -o ro dk-esp /efi',
		].join('\n'),
	);
	expect(calls.install.code).toBe(1);
	expect(calls.install.runtimeCalls).toEqual([]);
	expect(calls.install.texts('ERROR')).toContain('/efi mounted read-only');
	expect(calls.install.texts('INFO')).toContain('Assuming you do not have a separate /boot partition.');
});

it('/boot mounted read-write: the install reaches the runtime', async () => {
	const calls = await runCase('boot-rw', `${FSTAB_BOOT}\nmount -t tmpfs dk-boot /boot`);
	expect(calls.install.code, calls.install.messages.map((m) => m.text).join('\n')).toBe(0);
	expect(calls.install.texts('INFO')).toContain('Your /boot partition was detected as being mounted.');
	expect(calls.install.runtimeCalls).toEqual([
		['install', KV, '--package', KERNEL, '--image', `${TREE}/arch/x86/boot/bzImage`],
	]);
	expect(calls.modulesImage.runtimeCalls).toEqual([['initramfs', KV, '--package', 'sys-fs/zfs-kmod-2.3.6']]);
});

it('DONT_MOUNT_BOOT=1: the admin takes care of /boot, nothing is checked', async () => {
	const calls = await runCase('dont-mount-boot', FSTAB_BOOT, { DONT_MOUNT_BOOT: '1' });
	expect(calls.install.code).toBe(0);
	// (the fake runtime logs one error line of its own)
	expect(calls.install.texts('ERROR')).toEqual(['fake runtime error line']);
	expect(calls.install.runtimeCalls).toEqual([
		['install', KV, '--package', KERNEL, '--image', `${TREE}/arch/x86/boot/bzImage`],
	]);
	expect(calls.pretend.texts('ERROR')).toEqual([]);
});
