// Three promises of issue 21 proven by REAL Portage in one throw-away root (test/portage harness), one step after
// the other so that each emerge serves as the next step's starting point:
// - the /boot guard: /boot listed in /etc/fstab but not mounted, the ESP mounted read-only on a UEFI system (a tmpfs
//   over /sys/firmware holding efi/, in this mount namespace only), DONT_MOUNT_BOOT=1; the runtime run directly and
//   through real `emerge --config` (there the eclass refuses first, with Gentoo's mount-boot_check_status): refused,
//   naming the mount point, nothing written, no dracut run;
// - `emerge --unmerge` of a USE=initramfs module package rebuilds the image that holds its module (linux-mod-r1's
//   pkg_postrm), so that the next kernel upgrade is not stopped by initramfs.root-module-missing;
// - every trigger in one real `emerge -uDN @world`: a kernel, a USE=initramfs module package and a linux-firmware
//   stand-in asking for every kernel (`dist-kernel_reinstall_initramfs … --all`, as the real ebuild), 3 kernels
//   installed: one dracut run per kernel, every image holding the new firmware.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { listInitramfs, modulesInListing } from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { runFlow } from './flow-helpers';
import { diffSnapshots, snapshotHost } from './host-guard';
import type { KernelRelease } from './kernel-distfiles';
import { BOOT_STATES_LOG, DRACUT_LOG, type PortageRoot } from './portage-root';
import { TWO_MODULES, twoModulesPortageRoot } from './prepared-root';
import { GENTOO_REPO, PROFILE } from './stand-in-gentoo';
import { whyNoRoot } from './throwaway-root';

const hostBefore = snapshotHost();
const why = whyNoRoot();
let root: PortageRoot | undefined;

/** The module package that is unmerged, and the one that stays. */
const GOING = TWO_MODULES[0]!;
const STAYING = TWO_MODULES[1]!;
const FIRMWARE = 'sys-kernel/linux-firmware';
const FIRMWARE_FILE = 'firmware/dk-test/dk-fw.bin';
/** Firmware versions: the file's size tells which one an image holds. */
const FIRMWARE_V1 = { pv: '20251111', size: 1001 };
const FIRMWARE_V2 = { pv: '20251212', size: 2002 };
/** A kernel the admin installed by hand (`make modules_install install`): the first release's files under this name. */
const SELF_BUILT = '6.1.1-dk-selfbuilt';

/** What sys-kernel/linux-firmware does with USE="dist-kernel initramfs" (its pkg_postinst asks for every kernel). */
function firmwareEbuild(size: number): string {
	return `# Copyright 2026 dist-kernel authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit dist-kernel-utils linux-info

DESCRIPTION="Stand-in linux-firmware: one firmware file that every initramfs carries"
S=\${WORKDIR}
LICENSE="GPL-2"
SLOT="0"
KEYWORDS="amd64"
IUSE="dist-kernel +initramfs"
RDEPEND="dist-kernel? ( virtual/dist-kernel )"

pkg_setup() {
	linux-info_pkg_setup
}

src_install() {
	insinto /lib/firmware/dk-test
	head -c ${size} /dev/zero | newins - dk-fw.bin
	# the real firmware reaches an image beside the driver that names it; this one is named for dracut directly
	insinto /usr/lib/dracut/dracut.conf.d
	newins - 10-dk-test-firmware.conf <<<'install_items+=" /lib/firmware/dk-test/dk-fw.bin "'
}

pkg_postinst() {
	if use initramfs && use dist-kernel; then
		dist-kernel_reinstall_initramfs "\${KV_DIR}" "\${KV_FULL}" --all
	fi
}
`;
}

function preparedRoot(): PortageRoot {
	if (why) throw new Error(why);
	if (!root) throw new Error('the root was not prepared (see beforeAll)');
	return root;
}

function kernels(r: PortageRoot): [KernelRelease, KernelRelease] {
	return r.kernels as [KernelRelease, KernelRelease];
}

const exec = createExec({ logger: createMemoryLogger() });

/** The initramfs of kv: its module names and the size of the firmware file it holds (undefined: none). */
async function image(r: PortageRoot, kv: string): Promise<{ modules: Set<string>; firmware: number | undefined }> {
	const listing = await listInitramfs(exec, r.path(`/boot/initramfs-${kv}.img`));
	return {
		modules: modulesInListing(listing, kv),
		firmware: listing.entries.find((e) => e.name.endsWith(FIRMWARE_FILE))?.size,
	};
}

afterAll(() => {
	if (!process.env['DK_TEST_KEEP_ROOTS']) root?.cleanup();
});

describe('the /boot guard, a module package unmerged, every trigger: real emerge in one root', () => {
	beforeAll(async () => {
		if (why) return;
		// setup --eclass-overrides, the runtime package, USE=dist-kernel, then `emerge sys-kernel/gentoo-kernel-bin
		// GOING STAYING` (built once per run: prepared-root.ts TWO_MODULES_SCRIPT, shared with recovery.test.ts)
		const r = await twoModulesPortageRoot();
		root = r;
		const [{ kv: kv1 }] = kernels(r);
		r.write(`${GENTOO_REPO}/${FIRMWARE}/linux-firmware-${FIRMWARE_V1.pv}.ebuild`, firmwareEbuild(FIRMWARE_V1.size));
		await runFlow(
			r,
			'guard-prepare',
			[
				`export DIST_KERNEL_RUNNING_KV=${kv1}`,
				'mkdir -p /dk-out',
				// the stand-in ::gentoo lists linux-firmware as provided; here it is a package
				`sed -i '/^sys-kernel\\/linux-firmware-/d' ${PROFILE}/package.provided`,
				// linux-info in its pkg_setup wants /usr/src/linux, which the kernel's pkg_postinst points
				`emerge --quiet-build=y ${FIRMWARE}`,
				// a third kernel, installed by hand: the first release's in-tree modules and image under another name
				`mkdir -p /lib/modules/${SELF_BUILT}`,
				`cp -a /lib/modules/${kv1}/kernel /lib/modules/${kv1}/modules.order /lib/modules/${kv1}/modules.builtin /lib/modules/${SELF_BUILT}/`,
				`cp /usr/src/linux-${kv1}/arch/x86/boot/bzImage /lib/modules/${SELF_BUILT}/vmlinuz`,
				`depmod ${SELF_BUILT}`,
				`dist-kernel install ${SELF_BUILT}`,
			].join('\n'),
		);
	});

	it("prepared: the first kernel and a self-built one, each with an image holding firmware v1; the initramfs modules in the first kernel's only", async () => {
		const r = preparedRoot();
		const [{ kv: kv1 }] = kernels(r);
		const first = await image(r, kv1);
		expect(first.modules).toContain(`${GOING.module}.ko`);
		expect(first.modules).toContain(`${STAYING.module}.ko`);
		expect(first.firmware).toBe(FIRMWARE_V1.size);
		const self = await image(r, SELF_BUILT);
		expect(self.modules).not.toContain(`${GOING.module}.ko`);
		expect(self.firmware).toBe(FIRMWARE_V1.size);
	});

	it('/boot in fstab but not mounted, the ESP read-only on UEFI: refused naming the mount point, nothing written, no dracut run, also through emerge --config; doctor says so; DONT_MOUNT_BOOT=1 proceeds', async () => {
		const r = preparedRoot();
		const [{ kv: kv1, pv: pv1 }] = kernels(r);
		const snap = (name: string) => `find /boot -type f -exec sha256sum {} + | sort > /dk-out/${name}.sha`;
		const attempt = (name: string, command: string) =>
			`rc=0; ${command} > /dk-out/${name}.txt 2>&1 || rc=$?; echo "\${rc}" > /dk-out/${name}.rc; ${snap(name)}`;
		await runFlow(
			r,
			'guard-refusals',
			[
				`export DIST_KERNEL_RUNNING_KV=${kv1}`,
				'cp /etc/fstab /dk-out/fstab.orig',
				`: > ${DRACUT_LOG}`,
				snap('before'),
				"echo 'UUID=dk-test-boot /boot ext4 defaults 0 2' > /etc/fstab",
				attempt('not-mounted', `dist-kernel initramfs ${kv1}`),
				attempt('emerge-config', `emerge --config =sys-kernel/gentoo-kernel-bin-${pv1}`),
				attempt('doctor-not-mounted', 'dist-kernel doctor'),
				// UEFI in this mount namespace only; /boot mounted (a bind mount of itself), the ESP read-only
				'mount -t tmpfs dk-firmware /sys/firmware && mkdir /sys/firmware/efi',
				'mount --bind /boot /boot',
				'mkdir -p /efi && mount -t tmpfs -o ro dk-esp /efi',
				"printf 'UUID=dk-test-boot /boot ext4 defaults 0 2\\nUUID=DK-ESP /efi vfat umask=0077 0 2\\n' > /etc/fstab",
				attempt('esp-read-only', `dist-kernel install ${kv1}`),
				'umount /efi /boot /sys/firmware',
				"echo 'UUID=dk-test-boot /boot ext4 defaults 0 2' > /etc/fstab",
				attempt('dont-mount-boot', `env DONT_MOUNT_BOOT=1 dist-kernel initramfs ${SELF_BUILT}`),
				'cp /dk-out/fstab.orig /etc/fstab',
			].join('\n'),
		);
		const before = r.read('/dk-out/before.sha');
		expect(before).toContain(`/boot/initramfs-${kv1}.img`);

		expect(r.read('/dk-out/not-mounted.rc').trim()).toBe('1');
		const notMounted = r.read('/dk-out/not-mounted.txt');
		expect(notMounted).toContain('refusing to write boot files: /boot is listed in /etc/fstab but not mounted');
		expect(notMounted).toContain(`mount /boot, then run: dist-kernel initramfs ${kv1}`);
		expect(r.read('/dk-out/not-mounted.sha')).toBe(before);

		// the kernel's pkg_config stops before the runtime, in the eclass, with Gentoo's own check
		// (mount-boot_check_status) and says how to finish: mount it, then emerge --config
		expect(r.read('/dk-out/emerge-config.rc').trim()).not.toBe('0');
		const config = r.read('/dk-out/emerge-config.txt');
		expect(config).toContain('Your /boot partition is not mounted');
		expect(config).toContain('Mount the partition named above read-write first.');
		expect(config).toContain(`emerge --config '=sys-kernel/gentoo-kernel-bin-${pv1}'`);
		expect(r.read('/dk-out/emerge-config.sha')).toBe(before);
		// doctor names it too (everything it reads from /boot would be the directory underneath)
		expect(r.read('/dk-out/doctor-not-mounted.rc').trim()).toBe('1');
		expect(r.read('/dk-out/doctor-not-mounted.txt')).toContain(
			'ERROR [boot.not-mounted] refusing to write boot files: /boot is listed in /etc/fstab but not mounted',
		);

		expect(r.read('/dk-out/esp-read-only.rc').trim()).toBe('1');
		const esp = r.read('/dk-out/esp-read-only.txt');
		expect(esp).toContain('refusing to write boot files: /efi is mounted read-only');
		expect(esp).toContain('mount -o remount,rw /efi');
		expect(r.read('/dk-out/esp-read-only.sha')).toBe(before);

		// nothing was built for any refusal; DONT_MOUNT_BOOT=1 built (and installed) the self-built kernel's image
		expect(r.read('/dk-out/dont-mount-boot.rc').trim()).toBe('0');
		expect(r.dracutRuns()).toEqual([SELF_BUILT]);
		expect(r.read('/dk-out/dont-mount-boot.sha')).not.toBe(before);
		expect(r.read('/etc/fstab')).toBe(r.read('/dk-out/fstab.orig'));
	});

	it('emerge --unmerge of a USE=initramfs module package rebuilds the image holding its module (one dracut run), the other images untouched', async () => {
		const r = preparedRoot();
		const [{ kv: kv1 }] = kernels(r);
		await runFlow(
			r,
			'guard-unmerge',
			[
				`export DIST_KERNEL_RUNNING_KV=${kv1}`,
				`find /boot -type f -exec sha256sum {} + | sort > /dk-out/before-unmerge.sha`,
				`: > ${DRACUT_LOG}`,
				`: > ${BOOT_STATES_LOG}`,
				`emerge --unmerge ${GOING.cp}`,
				`find /boot -type f -exec sha256sum {} + | sort > /dk-out/after-unmerge.sha`,
			].join('\n'),
		);
		expect(r.exists(`/var/db/pkg/${GOING.cp}-1`)).toBe(false);
		// Portage leaves the module file (UNINSTALL_IGNORE=/lib/modules/*); the image no longer loads it
		expect(r.exists(`/lib/modules/${kv1}/extra/${GOING.module}.ko`)).toBe(true);
		expect(r.dracutRuns()).toEqual([kv1]);
		const first = await image(r, kv1);
		expect(first.modules).not.toContain(`${GOING.module}.ko`);
		expect(first.modules).toContain(`${STAYING.module}.ko`);
		expect(first.firmware).toBe(FIRMWARE_V1.size);
		const line = (text: string, kv: string) => text.split('\n').find((l) => l.endsWith(`/boot/initramfs-${kv}.img`));
		expect(line(r.read('/dk-out/after-unmerge.sha'), SELF_BUILT)).toBe(
			line(r.read('/dk-out/before-unmerge.sha'), SELF_BUILT),
		);
		// after the package's pkg_postrm, /boot already held the rebuilt image
		const states = r.bootStates();
		expect(states.map((s) => s.after)).toEqual([`${GOING.cp}-1 postrm`]);
	});

	it('then one emerge -uDN @world brings the next kernel, rebuilds the module package and brings new firmware (--all), 3 kernels: one dracut run per kernel, every image with the new firmware', async () => {
		const r = preparedRoot();
		const [{ kv: kv1 }, { kv: kv2, pv: pv2 }] = kernels(r);
		r.write(`${GENTOO_REPO}/${FIRMWARE}/linux-firmware-${FIRMWARE_V2.pv}.ebuild`, firmwareEbuild(FIRMWARE_V2.size));
		const started = Date.now();
		await runFlow(
			r,
			'guard-upgrade',
			[
				`export DIST_KERNEL_RUNNING_KV=${kv1}`,
				'rm -f /etc/portage/package.mask/dk-test-upgrade',
				`: > ${DRACUT_LOG}`,
				`: > ${BOOT_STATES_LOG}`,
				'emerge --quiet-build=y --update --deep --newuse @world',
				'dist-kernel doctor > /dk-out/doctor-upgraded.txt || true',
			].join('\n'),
		);
		const seconds = (Date.now() - started) / 1000;
		expect(r.exists(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${pv2}`)).toBe(true);
		expect(r.exists(`/var/db/pkg/${FIRMWARE}-${FIRMWARE_V2.pv}`)).toBe(true);
		expect(r.read(`/var/db/pkg/${STAYING.cp}-1/RDEPEND`)).toContain(`virtual/dist-kernel:0/${pv2}=`);
		// Gentoo's eclasses: 1 (kernel) + 1 (module package) + 3 (firmware, --all) = 5
		expect([...r.dracutRuns()].sort()).toEqual([SELF_BUILT, kv1, kv2].sort());
		for (const kv of [SELF_BUILT, kv1, kv2]) expect((await image(r, kv)).firmware, kv).toBe(FIRMWARE_V2.size);
		const next = await image(r, kv2);
		expect(next.modules).toContain(`${STAYING.module}.ko`);
		expect(next.modules).not.toContain(`${GOING.module}.ko`);
		expect(r.read('/dk-out/doctor-upgraded.txt')).not.toContain('initramfs.root-module-missing');
		process.stdout.write(
			`guard-removal-triggers: the upgrade emerge took ${seconds.toFixed(1)} s, dracut runs ${r.dracutRuns().join(' ')}\n`,
		);
	});
});

it('the host /boot, /lib/modules, /usr/src and /var/db are byte-for-byte unchanged', () => {
	expect(why).toBeUndefined();
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
