// The kernel upgrade of flows.test.ts under Gentoo's own eclasses (overlay-only wiring), by REAL Portage from the saved
// first-kernel state (test/portage/upgrade-flow.ts): Gentoo runs dracut once per package, ours once per kernel.
import { describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotHost } from './host-guard';
import type { KernelRelease } from './kernel-distfiles';
import { whyNoRoot } from './throwaway-root';
import { BLS_STAGED, expectBootAlwaysBootable, expectImageHolds, upgradeFlow } from './upgrade-flow';

const hostBefore = snapshotHost();
const why = whyNoRoot();

it('a throw-away root can be built here (root, unshare, overlayfs over /, chroot)', () => {
	expect(why).toBeUndefined();
});

describe("flows 2 and 3: kernel upgrade by emerge -uDN @world under Gentoo's eclasses", () => {
	it("overlay-only wiring (Gentoo's own eclasses for kernel and modules, installkernel[systemd] → kernel-install → our plugin), K=1: Gentoo runs dracut once per package", async () => {
		if (why) throw new Error(why);
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
			expect(root.read(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${pv2}/IDEPEND`)).toContain(
				'sys-kernel/installkernel',
			);
			// kernel pkg_postinst, then the initramfs module package's pkg_postinst: one dracut run each
			expect(root.dracutRuns()).toEqual([kv2, kv2]);
			expect(root.exists(BLS_STAGED.image(kv2))).toBe(true);
			await expectImageHolds(root, BLS_STAGED.initrd(kv2), kv2, kept);
			// bootable throughout, but the new kernel first boots an image without the module package's new module
			expectBootAlwaysBootable(root, BLS_STAGED.initrd(kv2), { onlyFinalImage: false });
			const images = new Set(
				root
					.bootStates()
					.map((state) => state.files.get(BLS_STAGED.initrd(kv2))?.sha256)
					.filter(Boolean),
			);
			expect(images.size).toBe(2);
			expect(root.read('/dk-out/doctor.txt')).toContain('No problems found.');
		});
	});
});

it('the host /boot, /lib/modules, /usr/src and /var/db are byte-for-byte unchanged', () => {
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
