// Fleets, measured with REAL Portage (test/portage harness): the same kernel upgrade (`emerge -uDN @world`, kernel
// 1 → kernel 2 with an ordinary module package and a USE=initramfs one installed) on a client, once from source and
// once from a binhost (loopback HTTP, `--getbinpkgonly`) that a build host filled by making the same upgrade with
// FEATURES=buildpkg and `setup --build-host` (generic initramfs in the kernel package). Every run starts from a
// fork of the same root; each client runs its own dracut once (the initramfs module is not in a generic image).
import {
	compilerRuns,
	forkBuildHost,
	forkClient,
	installCompilerCounter,
	PKGDIR,
	serveDirectory,
} from '../../test/portage/fleet-helpers';
import { runFlow } from '../../test/portage/flow-helpers';
import {
	DRACUT_CONF_FILE,
	DRACUT_LOG,
	fastDracutConf,
	forkPortageRoot,
	type PortageRoot,
} from '../../test/portage/portage-root';
import { preparedPortageRoot } from '../../test/portage/prepared-root';
import { HELLO, INITRAMFS_MODULES } from '../../test/portage/stand-in-gentoo';

export interface FleetRun {
	seconds: number;
	dracutRuns: number;
	compilerRuns: number;
}

export interface FleetUpgrade {
	/** The module packages installed on every machine. */
	modulePackages: string[];
	/** The build host's upgrade: source build + binary packages + generic image (once for the whole fleet). */
	buildHost: FleetRun;
	/** A client's upgrade from source, and from the binhost (one entry per run). */
	source: FleetRun[];
	binhost: FleetRun[];
}

const UPGRADE_MS = '/var/log/dk-test/upgrade-ms';

/** Times the upgrade emerge inside the root (`emerge` options added), counting dracut and compiler runs. */
async function upgrade(root: PortageRoot, name: string, options: string): Promise<FleetRun> {
	await runFlow(
		root,
		name,
		[
			'rm -f /etc/portage/package.mask/dk-test-upgrade',
			`: > ${DRACUT_LOG}`,
			'start=$(date +%s%N)',
			`emerge ${options} --quiet-build=y --update --deep --newuse @world`,
			`echo "$(( ($(date +%s%N) - start) / 1000000 ))" > ${UPGRADE_MS}`,
		].join('\n'),
	);
	return {
		seconds: Number(root.read(UPGRADE_MS).trim()) / 1000,
		dracutRuns: root.dracutRuns().length,
		compilerRuns: compilerRuns(root),
	};
}

export async function measureFleetUpgrade(bin: string, runs: number): Promise<FleetUpgrade> {
	process.env['DIST_KERNEL_TEST_BIN'] = bin;
	const modules = [HELLO.cp, INITRAMFS_MODULES[0]!.cp];
	const roots: PortageRoot[] = [];
	const track = (root: PortageRoot) => {
		roots.push(root);
		return root;
	};
	const base = track(await preparedPortageRoot());
	// dracut's own gzip (-9), as every bench run so far: the tests' gzip -1 would make each image 3.5 s cheaper
	base.write(DRACUT_CONF_FILE, fastDracutConf('gzip'));
	let server: Awaited<ReturnType<typeof serveDirectory>> | undefined;
	try {
		await runFlow(base, 'bench-fleet-base', `emerge --quiet-build=y sys-kernel/gentoo-kernel-bin ${modules.join(' ')}`);
		installCompilerCounter(base);
		const buildHost = track(forkBuildHost(base));
		await runFlow(buildHost, 'bench-fleet-build-host-setup', 'dist-kernel setup --build-host');
		const built = await upgrade(buildHost, 'bench-fleet-build-host', '');
		server = await serveDirectory(buildHost.path(PKGDIR));
		const result: FleetUpgrade = { modulePackages: modules, buildHost: built, source: [], binhost: [] };
		for (let i = 0; i < runs; i += 1) {
			const fromSource = track(forkPortageRoot(base));
			result.source.push(await upgrade(fromSource, `bench-fleet-source-${i}`, ''));
			fromSource.cleanup();
			const fromBinhost = track(forkClient(base, server.url));
			result.binhost.push(await upgrade(fromBinhost, `bench-fleet-binhost-${i}`, '--getbinpkgonly'));
			fromBinhost.cleanup();
		}
		return result;
	} finally {
		await server?.close();
		for (const root of roots) root.cleanup();
	}
}
