// dracut runs of one emerge that upgrades the kernel, rebuilds k USE="dist-kernel initramfs" module packages and
// brings a new linux-firmware (USE="dist-kernel initramfs": its pkg_postinst asks with `--all`), with 3 kernels
// installed afterwards. The emerge is test/lifecycle/emerge-sim.ts running our generated eclasses under the PMS
// shim (resume list kept as Portage's Scheduler keeps it), the real dracut behind a counting wrapper, the real
// Debian kernel under three release names. Gentoo's behaviour (coalesce-initramfs = no: one build per request) is
// 1 + k + 3; ours is one per kernel. Every final image is read back with the runtime's reader: each must hold the
// new firmware file, the new kernel's also the k modules.
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { kernelImages } from '../../src/runtime/images/initramfs-reader/kernel-images';
import { modulesInListing } from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { debianKernel } from '../../test/helpers/debian-kernel';
import { simulateEmerge } from '../../test/lifecycle/emerge-sim';
import {
	FIRMWARE,
	FIRMWARE_FILE,
	kernelPackage,
	makeWorld,
	modulePackage,
	runsPerKernel,
	triggerPackage,
	virtualPackage,
} from '../../test/lifecycle/triggers-world';

export interface TriggerRunsPoint {
	modulePackages: number;
	kernels: number;
	gentooBehaviour: number;
	ours: number;
	oursPerKernel: Record<string, number>;
	/** Final images that hold the new firmware (and, for the new kernel, its modules), of `kernels`: ours, Gentoo's. */
	imagesVerified: number;
	imagesVerifiedGentoo: number;
	exitCodes: number[];
	seconds: { gentoo: number; ours: number };
}

async function once(bin: string, k: number, coalesce: boolean) {
	process.env['DIST_KERNEL_TEST_BIN'] = bin;
	const kernel = await debianKernel();
	const modules = Array.from({ length: k }, (_, i) => ({ key: `sys-fs/bench${i}-kmod`, module: `bench${i}` }));
	const world = makeWorld(kernel, { realDracut: true, coalesce, modules });
	try {
		const packages = [
			kernelPackage(world, kernel),
			virtualPackage(world),
			...modules.map((m) => modulePackage(world, kernel, m)),
			triggerPackage(world, FIRMWARE),
		];
		const started = performance.now();
		const result = await simulateEmerge(world.sim, 'bench', packages);
		const seconds = (performance.now() - started) / 1000;
		if (result.code !== 0 && process.env['DK_BENCH_DEBUG']) process.stderr.write(result.output.slice(-4000));
		const exec = createExec({ logger: createMemoryLogger() });
		let verified = 0;
		const { a, b, c } = world.kernels;
		for (const kv of [a.kv, b.kv, c.kv]) {
			const images = kernelImages(exec, world.root, kv);
			if (images.length === 0) continue;
			const listing = await images[0]!.read();
			const firmware = [...listing.names].some((n) => n.endsWith(`lib/firmware/${FIRMWARE_FILE}`));
			const present = modulesInListing(listing, kv);
			const mods = kv !== c.kv || modules.every((m) => present.has(`${m.module}.ko`));
			if (firmware && mods) verified += 1;
		}
		return { runs: world.dracutRuns(), code: result.code, verified, seconds };
	} finally {
		world.cleanup();
	}
}

export async function measureTriggerRuns(bin: string, ks: readonly number[]): Promise<TriggerRunsPoint[]> {
	const points: TriggerRunsPoint[] = [];
	for (const k of ks) {
		const ours = await once(bin, k, true);
		const gentoo = await once(bin, k, false);
		points.push({
			modulePackages: k,
			kernels: 3,
			gentooBehaviour: gentoo.runs.length,
			ours: ours.runs.length,
			oursPerKernel: runsPerKernel(ours.runs),
			imagesVerified: ours.verified,
			imagesVerifiedGentoo: gentoo.verified,
			exitCodes: [ours.code, gentoo.code],
			seconds: { gentoo: gentoo.seconds, ours: ours.seconds },
		});
	}
	return points;
}
