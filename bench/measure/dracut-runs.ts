// P1, measured with REAL Portage (test/portage harness): the same `emerge -uDN @world` kernel upgrade with K
// installed initramfs module packages, once under Gentoo's own eclasses (overlay-only wiring: gentoo-kernel-bin and
// the module packages inherit ::gentoo's kernel-install / linux-mod-r1, installkernel[systemd] → kernel-install →
// our initrd plugin) and once under ours (`dist-kernel setup --eclass-overrides`). Both with kernel-install
// layout=bls. dracut runs for the new kernel are counted by a wrapper first on PATH inside the throw-away root.
import { runFlow } from '../../test/portage/flow-helpers';
import type { KernelRelease } from '../../test/portage/kernel-distfiles';
import { BOOT_STATES_LOG, createPortageRoot, DRACUT_LOG, forkPortageRoot, type PortageRoot } from '../../test/portage/portage-root';
import { HELLO, INITRAMFS_MODULES } from '../../test/portage/stand-in-gentoo';

export interface DracutRunsPoint {
	modulePackages: number;
	/** dracut runs for the new kernel under our eclasses (eclass-overrides). */
	coalesced: number;
	/** The same under Gentoo's eclasses. */
	gentooBehaviour: number;
	/** Wall time of the upgrade emerge, ours and Gentoo's (ms). */
	oursEmergeMs: number;
	gentooEmergeMs: number;
	exitCodes: number[];
}

const WIRINGS = {
	ours: 'echo "install-backend = kernel-install" >> /etc/dist-kernel/dist-kernel.conf',
	gentoo: [
		'dist-kernel setup --no-eclass-overrides',
		"echo 'sys-kernel/installkernel dracut systemd' > /etc/portage/package.use/installkernel",
		'emerge --quiet-build=y --oneshot sys-kernel/installkernel',
	].join('\n'),
} as const;

async function upgrade(base: PortageRoot, k: number, wiring: keyof typeof WIRINGS): Promise<{ runs: number; ms: number; code: number }> {
	const root = forkPortageRoot(base);
	try {
		const [{ pv: pv1 }, { kv: kv2 }] = root.kernels as [KernelRelease, KernelRelease];
		const dropped = INITRAMFS_MODULES.slice(k).map((m) => m.cp);
		await runFlow(
			root,
			`bench-${wiring}-k${k}`,
			[
				dropped.length > 0 ? `emerge --unmerge ${dropped.join(' ')}` : '',
				WIRINGS[wiring],
				'mkdir -p /etc/kernel',
				'echo layout=bls > /etc/kernel/install.conf',
				'rm -f /boot/vmlinuz-* /boot/initramfs-* /boot/System.map-* /boot/config-*',
				`emerge --config =sys-kernel/gentoo-kernel-bin-${pv1}`,
				'rm -f /etc/portage/package.mask/dk-test-upgrade',
				`: > ${DRACUT_LOG}`,
				`: > ${BOOT_STATES_LOG}`,
				'start=$(date +%s%N)',
				'emerge --quiet-build=y --update --deep --newuse @world',
				'echo "$(( ($(date +%s%N) - start) / 1000000 ))" > /var/log/dk-test/emerge-ms',
			].join('\n'),
		);
		return { runs: root.dracutRuns().filter((kv) => kv === kv2).length, ms: Number(root.read('/var/log/dk-test/emerge-ms').trim()), code: 0 };
	} finally {
		root.cleanup();
	}
}

export async function measureDracutRuns(bin: string, ks: number[]): Promise<DracutRunsPoint[]> {
	// `dist-kernel setup` runs this bundle before the runtime package (which ships the same bundle) is merged
	process.env['DIST_KERNEL_TEST_BIN'] = bin;
	const base = await createPortageRoot();
	try {
		await runFlow(
			base,
			'bench-base',
			[
				'node "${DK_BUNDLE}" setup --eclass-overrides',
				'emerge --quiet-build=y sys-kernel/dist-kernel-runtime',
				'mkdir -p /etc/portage/package.use',
				"echo '*/* dist-kernel' > /etc/portage/package.use/dist-kernel",
				`emerge --quiet-build=y sys-kernel/gentoo-kernel-bin ${[HELLO, ...INITRAMFS_MODULES].map((m) => m.cp).join(' ')}`,
			].join('\n'),
		);
		const points: DracutRunsPoint[] = [];
		for (const k of ks) {
			const ours = await upgrade(base, k, 'ours');
			const gentoo = await upgrade(base, k, 'gentoo');
			points.push({ modulePackages: k, coalesced: ours.runs, gentooBehaviour: gentoo.runs, oursEmergeMs: ours.ms, gentooEmergeMs: gentoo.ms, exitCodes: [ours.code, gentoo.code] });
		}
		return points;
	} finally {
		base.cleanup();
	}
}
