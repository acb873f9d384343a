// Every emerge flow README promises, run by REAL Portage (vendored, ../shared/vendor) in a throw-away copy of this
// machine (test/portage/throwaway-root.ts): `dist-kernel setup`, `emerge sys-kernel/dist-kernel-runtime` from the
// generated overlay, gentoo-kernel-bin installing a real Debian kernel, module packages built with linux-mod-r1
// against its headers, real dracut (counted) and the installed /usr/bin/dist-kernel. Assertions read the root's
// upper dir: /boot, the VDB, the images themselves. If no throw-away root can be built here, the suite fails.
// The upgrade flows (2 and 3) are split over this file, flows-upgrades.test.ts and flows-gentoo-eclasses.test.ts,
// so that they run side by side; all start from the state flow 1 leaves (saved once per run, prepared-root.ts).
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initramfsModules } from './flow-helpers';
import { diffSnapshots, snapshotHost } from './host-guard';
import type { PortageRoot } from './portage-root';
import { firstKernelPortageRoot, preparedPortageRoot } from './prepared-root';
import { HELLO, INITRAMFS_MODULES } from './stand-in-gentoo';
import { whyNoRoot } from './throwaway-root';
import { backendCaseTitle, backendUpgrade } from './upgrade-flow';

const hostBefore = snapshotHost();
const why = whyNoRoot();
const roots: PortageRoot[] = [];
let prepared: PortageRoot | undefined;

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
		for (const file of [
			'/usr/bin/dist-kernel',
			'/usr/lib/dist-kernel/dist-kernel.mjs',
			'/usr/lib/kernel/install.d/50-dist-kernel.install',
			'/etc/portage/repo.postsync.d/dist-kernel',
		]) {
			expect(contents).toContain(`obj ${file} `);
			expect(root.exists(file)).toBe(true);
		}
		expect(root.read('/etc/portage/repos.conf/dist-kernel.conf')).toMatch(
			/\[gentoo\]\s*\neclass-overrides = dist-kernel/,
		);
	});

	const KV1 = () => preparedRoot().kernels[0]!.kv;
	const PV1 = () => preparedRoot().kernels[0]!.pv;

	it('initramfs set-up: emerge of the kernel and its module packages puts kernel + initramfs in /boot; status and doctor clean', async () => {
		// the emerge, status and doctor ran once in this test run (prepared-root.ts FIRST_KERNEL_SCRIPT): the upgrade
		// flows start from the same state
		const root = track(await firstKernelPortageRoot());
		const kv = KV1();
		expect(root.exists(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${PV1()}`)).toBe(true);
		const image = root.path(`/boot/vmlinuz-${kv}`);
		// the real Debian image, byte for byte
		expect(readFileSync(image).equals(readFileSync(root.path(`/usr/src/linux-${kv}/arch/x86/boot/bzImage`)))).toBe(
			true,
		);
		const initramfs = root.path(`/boot/initramfs-${kv}.img`);
		expect(statSync(initramfs).size).toBeGreaterThan(1 << 20);
		const inImage = await initramfsModules(initramfs, kv);
		for (const { module } of INITRAMFS_MODULES) expect(inImage).toContain(`${module}.ko`);
		// hello has no MODULES_INITRAMFS_IUSE: linux-mod-r1 keeps it out
		expect(inImage).not.toContain('hello.ko');
		expect(root.exists(`/lib/modules/${kv}/extra/hello.ko`)).toBe(true);
		expect(root.read('/dk-out/doctor.txt')).toContain('No problems found.');
		const status = JSON.parse(root.read('/dk-out/status.json')) as {
			kernels: { kv: string; boot: { initrds: string[] } }[];
			modules: { cpv: string; builtFor: string }[];
		};
		expect(status.kernels.map((k) => k.kv)).toEqual([kv]);
		expect(status.kernels[0]!.boot.initrds).toEqual([`/boot/initramfs-${kv}.img`]);
		expect(status.modules.map((m) => [m.cpv, m.builtFor]).sort()).toEqual(
			[HELLO, ...INITRAMFS_MODULES].map((m) => [`${m.cp}-1`, kv]).sort(),
		);
		expect(root.dracutRuns().every((run) => run === kv)).toBe(true);
		expect(root.dracutRuns().length).toBeGreaterThanOrEqual(1);
	});

	// uefi=yes (a UKI in place of the kernel) is proven on a kernel upgrade in maintenance.test.ts, whose emerge
	// runs anyway.
});

describe('flows 2 and 3: kernel upgrade by emerge -uDN @world, each install backend (eclass-overrides)', () => {
	// kernel-install and installkernel: flows-upgrades.test.ts
	it(backendCaseTitle('builtin'), async () => {
		if (why) throw new Error(why);
		await backendUpgrade('builtin');
	});
});

it('the host /boot, /lib/modules, /usr/src and /var/db are byte-for-byte unchanged', () => {
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
