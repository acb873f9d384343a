// Every emerge flow README promises, run by REAL Portage (vendored, ../shared/vendor) in a throw-away copy of this
// machine (test/portage/throwaway-root.ts): `dist-kernel setup`, `emerge sys-kernel/dist-kernel-runtime` from the
// generated overlay, gentoo-kernel-bin installing a real Debian kernel, module packages built with linux-mod-r1
// against its headers, real dracut (counted) and the installed /usr/bin/dist-kernel. Assertions read the root's
// upper dir: /boot, the VDB, the images themselves. If no throw-away root can be built here, the suite fails.
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initramfsModules, runFlow } from './flow-helpers';
import { diffSnapshots, snapshotHost } from './host-guard';
import type { KernelRelease } from './kernel-distfiles';
import { BOOT_STATES_LOG, DRACUT_LOG, forkPortageRoot, type PortageRoot } from './portage-root';
import { preparedPortageRoot } from './prepared-root';
import { HELLO, INITRAMFS_MODULES } from './stand-in-gentoo';
import { whyNoRoot } from './throwaway-root';

const hostBefore = snapshotHost();
const why = whyNoRoot();
const roots: PortageRoot[] = [];
let prepared: PortageRoot | undefined;
let firstKernel: PortageRoot | undefined;

function track(root: PortageRoot): PortageRoot {
	roots.push(root);
	return root;
}

/** The root after setup and the runtime's emerge; throws the reason when none can be built. */
function preparedRoot(): PortageRoot {
	if (why) throw new Error(why);
	if (!prepared) throw new Error('the prepared root was not built (see the first test)');
	return prepared;
}

afterAll(() => {
	if (!process.env['DK_TEST_KEEP_ROOTS']) for (const root of roots) root.cleanup();
});

it('a throw-away root can be built here (root, unshare, overlayfs over /, chroot)', () => {
	expect(why).toBeUndefined();
});

describe('flow 1: setup, the runtime package, the first kernel', () => {
	beforeAll(async () => {
		if (why) return;
		// setup --eclass-overrides, the runtime package, USE=dist-kernel (built once per run: prepared-root.ts)
		prepared = track(await preparedPortageRoot());
	});

	it('emerge installs sys-kernel/dist-kernel-runtime from the generated overlay: program, plugin, post-sync hook', () => {
		const root = preparedRoot();
		expect(root.read('/var/db/pkg/sys-kernel/dist-kernel-runtime-0.1.0/repository').trim()).toBe('dist-kernel');
		const contents = root.read('/var/db/pkg/sys-kernel/dist-kernel-runtime-0.1.0/CONTENTS');
		for (const file of ['/usr/bin/dist-kernel', '/usr/lib/dist-kernel/dist-kernel.mjs', '/usr/lib/kernel/install.d/50-dist-kernel.install', '/etc/portage/repo.postsync.d/dist-kernel']) {
			expect(contents).toContain(`obj ${file} `);
			expect(root.exists(file)).toBe(true);
		}
		expect(root.read('/etc/portage/repos.conf/dist-kernel.conf')).toMatch(/\[gentoo\]\s*\neclass-overrides = dist-kernel/);
	});

	const KV1 = () => preparedRoot().kernels[0]!.kv;
	const PV1 = () => preparedRoot().kernels[0]!.pv;

	it('initramfs set-up: emerge of the kernel and its module packages puts kernel + initramfs in /boot; status and doctor clean', async () => {
		const root = track(forkPortageRoot(preparedRoot()));
		firstKernel = root;
		const modules = [HELLO, ...INITRAMFS_MODULES].map((m) => m.cp).join(' ');
		await runFlow(root, 'first-kernel', `emerge --quiet-build=y sys-kernel/gentoo-kernel-bin ${modules}\nmkdir -p /dk-out\ndist-kernel doctor > /dk-out/doctor.txt\ndist-kernel status --json > /dk-out/status.json`);
		const kv = KV1();
		expect(root.exists(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${PV1()}`)).toBe(true);
		const image = root.path(`/boot/vmlinuz-${kv}`);
		// the real Debian image, byte for byte
		expect(readFileSync(image).equals(readFileSync(root.path(`/usr/src/linux-${kv}/arch/x86/boot/bzImage`)))).toBe(true);
		const initramfs = root.path(`/boot/initramfs-${kv}.img`);
		expect(statSync(initramfs).size).toBeGreaterThan(1 << 20);
		const inImage = await initramfsModules(initramfs, kv);
		for (const { module } of INITRAMFS_MODULES) expect(inImage).toContain(`${module}.ko`);
		// hello has no MODULES_INITRAMFS_IUSE: linux-mod-r1 keeps it out
		expect(inImage).not.toContain('hello.ko');
		expect(root.exists(`/lib/modules/${kv}/extra/hello.ko`)).toBe(true);
		expect(root.read('/dk-out/doctor.txt')).toContain('No problems found.');
		const status = JSON.parse(root.read('/dk-out/status.json')) as { kernels: { kv: string; boot: { initrds: string[] } }[]; modules: { cpv: string; builtFor: string }[] };
		expect(status.kernels.map((k) => k.kv)).toEqual([kv]);
		expect(status.kernels[0]!.boot.initrds).toEqual([`/boot/initramfs-${kv}.img`]);
		expect(status.modules.map((m) => [m.cpv, m.builtFor]).sort()).toEqual([HELLO, ...INITRAMFS_MODULES].map((m) => [`${m.cp}-1`, kv]).sort());
		expect(root.dracutRuns().every((run) => run === kv)).toBe(true);
		expect(root.dracutRuns().length).toBeGreaterThanOrEqual(1);
	});

	// uefi=yes (a UKI in place of the kernel) is proven on a kernel upgrade in maintenance.test.ts, whose emerge
	// runs anyway.
});

/** The root with the first kernel, hello-kmod and the three initramfs module packages (flow 1, installkernel). */
function firstKernelRoot(): PortageRoot {
	if (why) throw new Error(why);
	if (!firstKernel) throw new Error('flow 1 did not leave a root with the first kernel installed');
	return firstKernel;
}

const MACHINE_ID = readFileSync('/etc/machine-id', 'utf8').trim();

interface BootLayout {
	image(kv: string): string;
	initrd(kv: string): string;
}
const CLASSIC: BootLayout = { image: (kv) => `/boot/vmlinuz-${kv}`, initrd: (kv) => `/boot/initramfs-${kv}.img` };
// kernel-install layout=bls with BOOT_ROOT=/boot and the machine id as entry token
const BLS: BootLayout = { image: (kv) => `/boot/${MACHINE_ID}/${kv}/linux`, initrd: (kv) => `/boot/${MACHINE_ID}/${kv}/initramfs.img` };

// the same layout as written by systemd's 90-loaderentry from kernel-install's staging area (Gentoo's wiring)
const BLS_STAGED: BootLayout = { image: BLS.image, initrd: (kv) => `/boot/${MACHINE_ID}/${kv}/initrd` };

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
function expectBootAlwaysBootable(root: PortageRoot, newInitrd: string, options: { onlyFinalImage: boolean } = { onlyFinalImage: true }): void {
	const states = root.bootStates();
	expect(states.length).toBeGreaterThan(0);
	const final = states.at(-1)!.files.get(newInitrd);
	expect(final?.size ?? 0).toBeGreaterThan(0);
	for (const state of states) {
		for (const [image, initrds] of bootPairs(state.files.keys())) {
			expect(initrds.some((initrd) => (state.files.get(initrd)?.size ?? 0) > 0), `after ${state.after}: ${image} without an initramfs`).toBe(true);
		}
		const initramfs = state.files.get(newInitrd);
		if (initramfs && options.onlyFinalImage) expect(initramfs.sha256, `after ${state.after}: ${newInitrd} is not the final image`).toBe(final!.sha256);
	}
}

/**
 * Fork the first-kernel root, keep K initramfs module packages, apply `setup`, upgrade. With `reinstallFirst` the
 * first kernel's boot files are removed and reinstalled by `emerge --config` into the layout `setup` configured (the
 * classic /boot names of flow 1 need no reinstall).
 */
async function upgradeFlow(name: string, k: number, setup: string, reinstallFirst: boolean, check: (root: PortageRoot, kept: typeof INITRAMFS_MODULES) => Promise<void>): Promise<void> {
	const root = forkPortageRoot(firstKernelRoot());
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
				// the first kernel's boot files as this backend lays them out (emerge --config reinstalls it); else its
				// image without the unmerged packages' modules (Portage leaves their .ko files: UNINSTALL_IGNORE), which
				// the next kernel would otherwise have to carry as modules the current image loads
				reinstallFirst
					? `rm -f /boot/*-${kv1} /boot/*-${kv1}.img\nemerge --config =sys-kernel/gentoo-kernel-bin-${pv1}`
					: dropped.length > 0
						? `dist-kernel initramfs ${kv1}`
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

async function expectImageHolds(root: PortageRoot, initrd: string, kv: string, kept: typeof INITRAMFS_MODULES): Promise<void> {
	const inImage = await initramfsModules(root.path(initrd), kv);
	expect(INITRAMFS_MODULES.filter((m) => inImage.has(`${m.module}.ko`)).map((m) => m.cp)).toEqual(kept.map((m) => m.cp));
}

describe('flows 2 and 3: kernel upgrade by emerge -uDN @world, each install backend (eclass-overrides)', () => {
	const cases = [
		{ backend: 'builtin', k: 0, layout: CLASSIC, setup: '' },
		{ backend: 'kernel-install', k: 1, layout: BLS, setup: 'mkdir -p /etc/kernel\necho layout=bls > /etc/kernel/install.conf' },
		// Debian's /usr/sbin/installkernel (debianutils)
		{ backend: 'installkernel', k: 3, layout: CLASSIC, setup: '' },
	] as const;
	for (const { backend, k, layout, setup } of cases) {
		it(`${backend}, K=${k} initramfs module packages: every module rebuilt in the same emerge, dracut once for the new kernel, its image holds the ${k} rebuilt modules, /boot bootable throughout`, async () => {
			await upgradeFlow(`upgrade-${backend}-k${k}`, k, `echo 'install-backend = ${backend}' >> /etc/dist-kernel/dist-kernel.conf\n${setup}`, layout !== CLASSIC, async (root, kept) => {
				const [{ kv: kv1 }, { kv: kv2 }] = root.kernels as [KernelRelease, KernelRelease];
				expect(root.dracutRuns()).toEqual([kv2]);
				// a BLS entry dir holds initramfs.img or (systemd's 90-loaderentry naming) initrd
				const initrdOf = (kv: string) => (layout === BLS && !root.exists(layout.initrd(kv)) ? BLS_STAGED.initrd(kv) : layout.initrd(kv));
				for (const kv of [kv1, kv2]) {
					expect(root.exists(layout.image(kv)), layout.image(kv)).toBe(true);
					expect(root.exists(initrdOf(kv)), initrdOf(kv)).toBe(true);
				}
				if (layout === BLS) expect(root.exists(`/boot/loader/entries/${MACHINE_ID}-${kv2}.conf`)).toBe(true);
				await expectImageHolds(root, initrdOf(kv2), kv2, kept);
				expectBootAlwaysBootable(root, initrdOf(kv2));
				expect(root.read('/dk-out/doctor.txt')).toContain('No problems found.');
			});
		});
	}

	it('overlay-only wiring (Gentoo\'s own eclasses for kernel and modules, installkernel[systemd] → kernel-install → our plugin), K=1: Gentoo runs dracut once per package', async () => {
		const setup = [
			'dist-kernel setup --no-eclass-overrides',
			"echo 'sys-kernel/installkernel dracut systemd' > /etc/portage/package.use/installkernel",
			'mkdir -p /etc/kernel',
			'echo layout=bls > /etc/kernel/install.conf',
			'emerge --quiet-build=y --oneshot sys-kernel/installkernel',
		].join('\n');
		await upgradeFlow('upgrade-gentoo-eclasses-k1', 1, setup, true, async (root, kept) => {
			const [, { kv: kv2, pv: pv2 }] = root.kernels as [KernelRelease, KernelRelease];
			// Gentoo's kernel-install.eclass (it wants installkernel, ours the runtime)
			expect(root.read(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${pv2}/IDEPEND`)).toContain('sys-kernel/installkernel');
			// kernel pkg_postinst, then the initramfs module package's pkg_postinst: one dracut run each
			expect(root.dracutRuns()).toEqual([kv2, kv2]);
			expect(root.exists(BLS_STAGED.image(kv2))).toBe(true);
			await expectImageHolds(root, BLS_STAGED.initrd(kv2), kv2, kept);
			// bootable throughout, but the new kernel first boots an image without the module package's new module
			expectBootAlwaysBootable(root, BLS_STAGED.initrd(kv2), { onlyFinalImage: false });
			const images = new Set(root.bootStates().map((state) => state.files.get(BLS_STAGED.initrd(kv2))?.sha256).filter(Boolean));
			expect(images.size).toBe(2);
			expect(root.read('/dk-out/doctor.txt')).toContain('No problems found.');
		});
	});
});

it('the host /boot, /lib/modules, /usr/src and /var/db are byte-for-byte unchanged', () => {
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
