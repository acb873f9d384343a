// Maintenance flows run by REAL Portage in one throw-away root (test/portage harness), one step after the other:
// a kernel upgrade by `emerge -uDN @world` with dracut `uefi=yes` (the new kernel gets a UKI holding the rebuilt
// initramfs module), then flow 4 (`dist-kernel modules rebuild` of a USE=-dist-kernel module package through real
// `emerge --oneshot`) and flow 5 (`emerge --config` of a kernel; `emerge --depclean` of the old one cleans /boot).
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFlow, ukiContents } from './flow-helpers';
import { diffSnapshots, snapshotHost } from './host-guard';
import type { KernelRelease } from './kernel-distfiles';
import { BOOT_STATES_LOG, DRACUT_LOG, type PortageRoot } from './portage-root';
import { preparedPortageRoot } from './prepared-root';
import { HELLO, INITRAMFS_MODULES } from './stand-in-gentoo';
import { whyNoRoot } from './throwaway-root';

const hostBefore = snapshotHost();
const why = whyNoRoot();
let upgraded: PortageRoot | undefined;

/** The module package kept USE=-dist-kernel (Portage's slot operator does not rebuild it) and one that has it. */
const MANUAL = HELLO;
const INITRAMFS = INITRAMFS_MODULES[0]!;
const BOOT_FILES = (kv: string) => [
	`/boot/vmlinuz-${kv}`,
	`/boot/initramfs-${kv}.img`,
	`/boot/System.map-${kv}`,
	`/boot/config-${kv}`,
];

interface StatusJson {
	kernels: { kv: string; boot: { kernels: string[]; ukis: string[]; emptyInitrds: string[] } }[];
	modules: { cpv: string; builtFor?: string; distKernel: boolean }[];
	stale: { cpv: string; builtFor?: string; distKernel: boolean }[];
}

function rootWithUpgrade(): PortageRoot {
	if (why) throw new Error(why);
	if (!upgraded) throw new Error('the upgraded root was not built (see the first test)');
	return upgraded;
}

function kernels(root: PortageRoot): [KernelRelease, KernelRelease] {
	return root.kernels as [KernelRelease, KernelRelease];
}

// DK_TEST_KEEP_ROOTS=1 keeps the root (upper dir and flow logs) for a look after a failure
afterAll(() => {
	if (!process.env['DK_TEST_KEEP_ROOTS']) upgraded?.cleanup();
});

describe('maintenance flows in one root: upgrade with uefi=yes, modules rebuild (flow 4), --config and --depclean (flow 5)', () => {
	beforeAll(async () => {
		if (why) return;
		// setup --eclass-overrides and the runtime package (built once per run: prepared-root.ts)
		const root = await preparedPortageRoot();
		upgraded = root;
		const [{ pv: pv1 }] = kernels(root);
		await runFlow(
			root,
			'maintenance-first-kernel',
			[
				// USE=dist-kernel only where this file says so
				'rm /etc/portage/package.use/dist-kernel',
				`echo '${INITRAMFS.cp} dist-kernel' > /etc/portage/package.use/dk-test`,
				`echo '${MANUAL.cp} -dist-kernel' >> /etc/portage/package.use/dk-test`,
				`emerge --quiet-build=y =sys-kernel/gentoo-kernel-bin-${pv1} ${INITRAMFS.cp}`,
				// USE=-dist-kernel: no dependency on the kernel, so it builds against /usr/src/linux once that exists
				`emerge --quiet-build=y ${MANUAL.cp}`,
			].join('\n'),
		);
		await runFlow(
			root,
			'maintenance-upgrade',
			[
				'echo \'uefi="yes"\' > /etc/dracut.conf.d/50-uefi.conf',
				'rm -f /etc/portage/package.mask/dk-test-upgrade',
				`: > ${DRACUT_LOG}`,
				`: > ${BOOT_STATES_LOG}`,
				'emerge --quiet-build=y --update --deep --newuse @world',
				'mkdir -p /dk-out',
				'dist-kernel status --json > /dk-out/status-upgraded.json',
				'rc=0; dist-kernel doctor > /dk-out/doctor-upgraded.txt || rc=$?; echo "${rc}" > /dk-out/doctor-upgraded.rc',
			].join('\n'),
		);
	});

	it('uefi=yes: the upgrade installs the new kernel as a UKI (one dracut run) holding the rebuilt initramfs module, an empty initramfs beside it; the USE=-dist-kernel package is left stale', async () => {
		const root = rootWithUpgrade();
		const [{ kv: kv1 }, { kv: kv2, pv: pv2 }] = kernels(root);
		expect(root.exists(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${pv2}`)).toBe(true);
		expect(root.dracutRuns()).toEqual([kv2]);
		const uki = await ukiContents(root.path(`/boot/vmlinuz-${kv2}`), kv2);
		expect(uki.sections).toEqual(expect.arrayContaining(['.linux', '.initrd', '.cmdline', '.osrel']));
		expect(uki.modules).toContain(`${INITRAMFS.module}.ko`);
		expect(statSync(root.path(`/boot/initramfs-${kv2}.img`)).size).toBe(0);
		// the first kernel keeps its plain kernel + initramfs
		expect(statSync(root.path(`/boot/initramfs-${kv1}.img`)).size).toBeGreaterThan(1 << 20);
		// the slot operator rebuilt the USE=dist-kernel package, not the other one
		expect(root.read(`/var/db/pkg/${INITRAMFS.cp}-1/RDEPEND`)).toContain(`virtual/dist-kernel:0/${pv2}=`);
		expect(root.exists(`/lib/modules/${kv2}/extra/${MANUAL.module}.ko`)).toBe(false);
		const status = JSON.parse(root.read('/dk-out/status-upgraded.json')) as StatusJson;
		expect(status.kernels.find((k) => k.kv === kv2)?.boot.ukis).toEqual([`/boot/vmlinuz-${kv2}`]);
		expect(status.stale.map((s) => [s.cpv, s.builtFor, s.distKernel])).toEqual([[`${MANUAL.cp}-1`, kv1, false]]);
		expect(root.read('/dk-out/doctor-upgraded.txt')).toContain(`${MANUAL.cp}-1`);
		expect(root.read('/dk-out/doctor-upgraded.txt')).toContain('dist-kernel modules rebuild');
	});

	it('flow 4: `dist-kernel modules rebuild` runs emerge --oneshot for the USE=-dist-kernel package: its module is built for the new kernel, the VDB says so, status and doctor clean', async () => {
		const root = rootWithUpgrade();
		const [{ kv: kv1 }, { kv: kv2 }] = kernels(root);
		const output = await runFlow(
			root,
			'maintenance-modules-rebuild',
			[
				'dist-kernel modules rebuild',
				'dist-kernel status --json > /dk-out/status-rebuilt.json',
				'dist-kernel doctor > /dk-out/doctor-rebuilt.txt',
			].join('\n'),
		);
		expect(output).toContain(`Emerging (1 of 1) ${MANUAL.cp}-1`);
		const module = root.path(`/lib/modules/${kv2}/extra/${MANUAL.module}.ko`);
		// built against the new kernel's tree: its vermagic names that release
		expect(readFileSync(module).toString('latin1')).toContain(`vermagic=${kv2} `);
		// the copy built for the first kernel is no longer the package's (Portage leaves it: UNINSTALL_IGNORE=/lib/modules/*)
		const contents = root.read(`/var/db/pkg/${MANUAL.cp}-1/CONTENTS`);
		expect(contents).toMatch(
			new RegExp(`^obj (/usr)?/lib/modules/${kv2.replaceAll('.', '\\.')}/extra/${MANUAL.module}\\.ko `, 'm'),
		);
		expect(contents).not.toContain(`/lib/modules/${kv1}/`);
		const status = JSON.parse(root.read('/dk-out/status-rebuilt.json')) as StatusJson;
		expect(status.stale).toEqual([]);
		expect(status.modules.map((m) => [m.cpv, m.builtFor, m.distKernel]).sort()).toEqual(
			[
				[`${MANUAL.cp}-1`, kv2, false],
				[`${INITRAMFS.cp}-1`, kv2, true],
			].sort(),
		);
		expect(root.read('/dk-out/doctor-rebuilt.txt')).toContain('No problems found.');
	});

	it("flow 5: `emerge --config` reinstalls a kernel's boot files; `emerge --depclean` of the old kernel removes its /boot files, the remaining kernel stays bootable", async () => {
		const root = rootWithUpgrade();
		const [{ kv: kv1, pv: pv1 }, { kv: kv2, pv: pv2 }] = kernels(root);
		await runFlow(
			root,
			'maintenance-config',
			[
				`rm -f /boot/vmlinuz-${kv2} /boot/initramfs-${kv2}.img`,
				`: > ${DRACUT_LOG}`,
				`emerge --config =sys-kernel/gentoo-kernel-bin-${pv2}`,
			].join('\n'),
		);
		expect(root.dracutRuns()).toEqual([kv2]);
		// the kernel keeps its form: a UKI again
		const uki = await ukiContents(root.path(`/boot/vmlinuz-${kv2}`), kv2);
		expect(uki.modules).toContain(`${INITRAMFS.module}.ko`);
		expect(root.exists(`/boot/initramfs-${kv2}.img`)).toBe(true);

		for (const file of BOOT_FILES(kv1)) expect(root.exists(file), file).toBe(true);
		await runFlow(
			root,
			'maintenance-depclean',
			[
				`: > ${DRACUT_LOG}`,
				`: > ${BOOT_STATES_LOG}`,
				`emerge --depclean =sys-kernel/gentoo-kernel-bin-${pv1}`,
				'dist-kernel status --json > /dk-out/status-depcleaned.json',
				'dist-kernel doctor > /dk-out/doctor-depcleaned.txt',
			].join('\n'),
		);
		expect(root.exists(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${pv1}`)).toBe(false);
		for (const file of BOOT_FILES(kv1)) expect(root.exists(file), file).toBe(false);
		// Portage keeps /lib/modules/* on unmerge (UNINSTALL_IGNORE): the kernel's pkg_postrm removed the directory, no
		// installed package owning files there any more (the modules left by replaced module packages went with it)
		expect(root.exists(`/lib/modules/${kv1}`)).toBe(false);
		expect(root.exists(`/usr/src/linux-${kv1}`)).toBe(false);
		// after the old kernel's pkg_postrm /boot held the UKI of the remaining kernel, untouched
		const states = root.bootStates();
		expect(states.map((s) => s.after)).toEqual([`sys-kernel/gentoo-kernel-bin-${pv1} postrm`]);
		expect([...states[0]!.files.keys()].filter((f) => f.includes(kv1))).toEqual([]);
		expect(states[0]!.files.get(`/boot/vmlinuz-${kv2}`)?.size ?? 0).toBeGreaterThan(1 << 20);
		expect(root.dracutRuns()).toEqual([]);
		const status = JSON.parse(root.read('/dk-out/status-depcleaned.json')) as StatusJson;
		expect(status.kernels.map((k) => k.kv)).toEqual([kv2]);
		expect(status.kernels[0]!.boot.ukis).toEqual([`/boot/vmlinuz-${kv2}`]);
		expect(root.read('/dk-out/doctor-depcleaned.txt')).toContain('No problems found.');
	});
});

it('the host /boot, /lib/modules, /usr/src and /var/db are byte-for-byte unchanged', () => {
	expect(why).toBeUndefined();
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
