// The kernel upgrade flows of README (flows 2 and 3) by REAL Portage, shared by the test files that run them
// (flows.test.ts, flows-upgrades.test.ts, flows-gentoo-eclasses.test.ts: one upgrade each or two, so that they run
// side by side): each starts from a fork of the saved first-kernel state (prepared-root.ts), keeps K initramfs
// module packages, applies a setup and upgrades by `emerge -uDN @world`.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { initramfsModules, runFlow } from './flow-helpers';
import type { KernelRelease } from './kernel-distfiles';
import { BOOT_STATES_LOG, DRACUT_LOG, type PortageRoot } from './portage-root';
import { firstKernelPortageRoot } from './prepared-root';
import { HELLO, INITRAMFS_MODULES } from './stand-in-gentoo';

const MACHINE_ID = readFileSync('/etc/machine-id', 'utf8').trim();

export interface BootLayout {
	image(kv: string): string;
	initrd(kv: string): string;
}
export const CLASSIC: BootLayout = {
	image: (kv) => `/boot/vmlinuz-${kv}`,
	initrd: (kv) => `/boot/initramfs-${kv}.img`,
};
// kernel-install layout=bls with BOOT_ROOT=/boot and the machine id as entry token
export const BLS: BootLayout = {
	image: (kv) => `/boot/${MACHINE_ID}/${kv}/linux`,
	initrd: (kv) => `/boot/${MACHINE_ID}/${kv}/initramfs.img`,
};

// the same layout as written by systemd's 90-loaderentry from kernel-install's staging area (Gentoo's wiring)
export const BLS_STAGED: BootLayout = { image: BLS.image, initrd: (kv) => `/boot/${MACHINE_ID}/${kv}/initrd` };

/** Kernel image → the initrds that may go with it, for every kernel image in a /boot listing. */
function bootPairs(paths: Iterable<string>): [string, string[]][] {
	const pairs: [string, string[]][] = [];
	for (const path of paths) {
		const classic = /^\/boot\/vmlinuz-(.+)$/.exec(path)?.[1];
		if (classic) pairs.push([path, [`/boot/initramfs-${classic}.img`]]);
		const bls = /^(\/boot\/[^/]+\/[^/]+)\/linux$/.exec(path)?.[1];
		if (bls) pairs.push([path, [`${bls}/initramfs.img`, `${bls}/initrd`]]);
	}
	return pairs;
}

/**
 * Every /boot state recorded after a pkg_postinst/postrm: each kernel image has its initramfs beside it, not empty,
 * and the new kernel's initramfs, once there, is already the final one (never a partial one replaced later).
 */
export function expectBootAlwaysBootable(
	root: PortageRoot,
	newInitrd: string,
	options: { onlyFinalImage: boolean } = { onlyFinalImage: true },
): void {
	const states = root.bootStates();
	expect(states.length).toBeGreaterThan(0);
	const final = states.at(-1)!.files.get(newInitrd);
	expect(final?.size ?? 0).toBeGreaterThan(0);
	for (const state of states) {
		for (const [image, initrds] of bootPairs(state.files.keys())) {
			expect(
				initrds.some((initrd) => (state.files.get(initrd)?.size ?? 0) > 0),
				`after ${state.after}: ${image} without an initramfs`,
			).toBe(true);
		}
		const initramfs = state.files.get(newInitrd);
		if (initramfs && options.onlyFinalImage)
			expect(initramfs.sha256, `after ${state.after}: ${newInitrd} is not the final image`).toBe(final!.sha256);
	}
}

/**
 * Fork the first-kernel state, keep K initramfs module packages, apply `setup`, upgrade. With `reinstallFirst` the
 * first kernel's boot files are removed and reinstalled by `emerge --config` into the layout `setup` configured (the
 * classic /boot names of flow 1 need no reinstall).
 */
export async function upgradeFlow(
	name: string,
	k: number,
	setup: string,
	reinstallFirst: boolean,
	check: (root: PortageRoot, kept: typeof INITRAMFS_MODULES) => Promise<void>,
): Promise<void> {
	const root = await firstKernelPortageRoot();
	try {
		const [{ kv: kv1, pv: pv1 }, { kv: kv2, pv: pv2 }] = root.kernels as [KernelRelease, KernelRelease];
		const kept = INITRAMFS_MODULES.slice(0, k);
		const dropped = INITRAMFS_MODULES.slice(k).map((m) => m.cp);
		await runFlow(
			root,
			name,
			[
				dropped.length > 0 ? `emerge --unmerge ${dropped.join(' ')}` : '',
				setup,
				// the first kernel's boot files as this backend lays them out (emerge --config reinstalls it). Its image
				// no longer holds the unmerged packages' modules either way: each one's pkg_postrm (linux-mod-r1) rebuilt
				// it without them (Portage leaves their .ko files: UNINSTALL_IGNORE).
				reinstallFirst
					? `rm -f /boot/*-${kv1} /boot/*-${kv1}.img\nemerge --config =sys-kernel/gentoo-kernel-bin-${pv1}`
					: '',
				// the sync that brings the new kernel version
				'rm -f /etc/portage/package.mask/dk-test-upgrade',
				`: > ${DRACUT_LOG}`,
				`: > ${BOOT_STATES_LOG}`,
				'emerge --quiet-build=y --update --deep --newuse @world',
				'mkdir -p /dk-out',
				'dist-kernel doctor > /dk-out/doctor.txt || true',
			].join('\n'),
		);
		expect(root.exists(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${pv2}`)).toBe(true);
		expect(root.exists(`/var/db/pkg/virtual/dist-kernel-${pv2}`)).toBe(true);
		// every module package with USE=dist-kernel was rebuilt for the new kernel in the same emerge
		for (const { cp, module } of [HELLO, ...kept]) {
			expect(root.read(`/var/db/pkg/${cp}-1/RDEPEND`)).toContain(`virtual/dist-kernel:0/${pv2}=`);
			expect(root.exists(`/lib/modules/${kv2}/extra/${module}.ko`)).toBe(true);
		}
		await check(root, kept);
	} finally {
		// DK_TEST_KEEP_ROOTS=1 keeps the root (upper dir and flow logs) for a look after a failure
		if (!process.env['DK_TEST_KEEP_ROOTS']) root.cleanup();
	}
}

export async function expectImageHolds(
	root: PortageRoot,
	initrd: string,
	kv: string,
	kept: typeof INITRAMFS_MODULES,
): Promise<void> {
	const inImage = await initramfsModules(root.path(initrd), kv);
	expect(INITRAMFS_MODULES.filter((m) => inImage.has(`${m.module}.ko`)).map((m) => m.cp)).toEqual(
		kept.map((m) => m.cp),
	);
}

export type Backend = 'builtin' | 'kernel-install' | 'installkernel';

/** Flows 2 and 3 (eclass-overrides): the upgrade installed by one backend into `layout`. */
export const BACKEND_CASES: Record<Backend, { k: number; layout: BootLayout; setup: string }> = {
	builtin: { k: 0, layout: CLASSIC, setup: '' },
	'kernel-install': { k: 1, layout: BLS, setup: 'mkdir -p /etc/kernel\necho layout=bls > /etc/kernel/install.conf' },
	// Debian's /usr/sbin/installkernel (debianutils)
	installkernel: { k: 3, layout: CLASSIC, setup: '' },
};

export function backendCaseTitle(backend: Backend): string {
	const { k } = BACKEND_CASES[backend];
	return `${backend}, K=${k} initramfs module packages: every module rebuilt in the same emerge, dracut once for the new kernel, its image holds the ${k} rebuilt modules, /boot bootable throughout`;
}

export async function backendUpgrade(backend: Backend): Promise<void> {
	const { k, layout, setup } = BACKEND_CASES[backend];
	await upgradeFlow(
		`upgrade-${backend}-k${k}`,
		k,
		`echo 'install-backend = ${backend}' >> /etc/dist-kernel/dist-kernel.conf\n${setup}`,
		layout !== CLASSIC,
		async (root, kept) => {
			const [{ kv: kv1 }, { kv: kv2 }] = root.kernels as [KernelRelease, KernelRelease];
			expect(root.dracutRuns()).toEqual([kv2]);
			// a BLS entry dir holds initramfs.img or (systemd's 90-loaderentry naming) initrd
			const initrdOf = (kv: string) =>
				layout === BLS && !root.exists(layout.initrd(kv)) ? BLS_STAGED.initrd(kv) : layout.initrd(kv);
			for (const kv of [kv1, kv2]) {
				expect(root.exists(layout.image(kv)), layout.image(kv)).toBe(true);
				expect(root.exists(initrdOf(kv)), initrdOf(kv)).toBe(true);
			}
			if (layout === BLS) expect(root.exists(`/boot/loader/entries/${MACHINE_ID}-${kv2}.conf`)).toBe(true);
			await expectImageHolds(root, initrdOf(kv2), kv2, kept);
			expectBootAlwaysBootable(root, initrdOf(kv2));
			expect(root.read('/dk-out/doctor.txt')).toContain('No problems found.');
		},
	);
}
