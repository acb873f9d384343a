// Fleets through binary packages, with REAL Portage in throw-away roots (test/portage/throwaway-root.ts): a build
// host builds the kernel, virtual/dist-kernel and module packages as binpkgs (FEATURES=buildpkg), for one kernel and
// then the next (while the first client installs from a copy of its first packages), and a loopback HTTP server is
// its binhost. Clients install and upgrade with --getbinpkgonly: no
// compiler run, the module build made for their kernel (the `:=` sub-slot recorded in the binpkg decides, even with
// a newer build of the same version on the binhost), each client its own image from its own dracut configuration
// (one dracut run per kernel), or the build host's generic image as it is.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	binpkgIndex,
	builtAgainst,
	compilerRuns,
	emergeLogLength,
	forkBuildHost,
	forkClient,
	installCompilerCounter,
	mergesSince,
	PKGDIR,
	type StaticServer,
	serveDirectory,
} from './fleet-helpers';
import { initramfsModules, runFlow, ukiContents } from './flow-helpers';
import { diffSnapshots, snapshotHost } from './host-guard';
import { DRACUT_LOG, type PortageRoot } from './portage-root';
import { preparedPortageRoot } from './prepared-root';
import { HELLO, INITRAMFS_MODULES } from './stand-in-gentoo';
import { whyNoRoot } from './throwaway-root';

const hostBefore = snapshotHost();
const why = whyNoRoot();
const roots: PortageRoot[] = [];
let prepared: PortageRoot;
let buildHost: PortageRoot;
/** The first client: kernel 1 and both module packages from the binhost, default settings. */
let base: PortageRoot;
let server: StaticServer | undefined;
/** The binhost as it was after the first kernel (served while the build host upgrades). */
let firstPackages = '';
let compiledOnBuildHost = 0;
/** The build host's upgrade to kernel 2, started as soon as its first packages are copied. */
let buildHostUpgrade: Promise<unknown> = Promise.resolve();
const timings: Record<string, number> = {};

const MODULE = INITRAMFS_MODULES[0]!;
const KV1 = () => prepared.kernels[0]!.kv;
const PV1 = () => prepared.kernels[0]!.pv;
const KV2 = () => prepared.kernels[1]!.kv;
const PV2 = () => prepared.kernels[1]!.pv;
const MASK = '/etc/portage/package.mask/dk-test-upgrade';
const GENERIC = (kv: string) => `/usr/src/linux-${kv}/arch/x86/boot/initrd`;

function track(root: PortageRoot): PortageRoot {
	roots.push(root);
	return root;
}

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
	const start = process.hrtime.bigint();
	const result = await fn();
	timings[name] = Math.round(Number(process.hrtime.bigint() - start) / 1e8) / 10;
	return result;
}

interface Status {
	kernels: Array<{ kv: string; origin?: { origin: string; binhost?: string } }>;
	modules: Array<{ cpv: string; builtFor?: string; origin: { origin: string; binhost?: string } }>;
}

const STATUS = 'mkdir -p /dk-out\ndist-kernel status --json > /dk-out/status.json';
const status = (root: PortageRoot) => JSON.parse(root.read('/dk-out/status.json')) as Status;

/** Nothing was compiled in the root since `offset`: every merge a binary one, the compiler wrapper never ran. */
function expectOnlyBinaryMerges(root: PortageRoot, offset: number, expected: string[]): void {
	const merges = mergesSince(root, offset);
	expect(merges.filter((m) => m.kind === 'source')).toEqual([]);
	expect(merges.map((m) => m.cpv).sort()).toEqual([...expected].sort());
	expect(compilerRuns(root)).toBe(0);
}

afterAll(async () => {
	if (Object.keys(timings).length > 0) console.log(`fleet timings (s): ${JSON.stringify(timings)}`);
	await server?.close();
	for (const root of roots) root.cleanup();
});

it('a throw-away root can be built here (root, unshare, overlayfs over /, chroot)', () => {
	expect(why).toBeUndefined();
});

describe('fleet: one build host, a binhost on 127.0.0.1, clients installing binary packages', () => {
	beforeAll(async () => {
		if (why) throw new Error(why);
		// setup --eclass-overrides, the runtime package, USE=dist-kernel (built once per run: prepared-root.ts)
		prepared = track(await timed('prepare', () => preparedPortageRoot()));
		installCompilerCounter(prepared);
		buildHost = track(forkBuildHost(prepared));
		await timed('build host: kernel 1 + 2 modules from source', () =>
			runFlow(
				buildHost,
				'build-host',
				[
					'dist-kernel setup --build-host',
					`emerge --quiet-build=y sys-kernel/gentoo-kernel-bin ${HELLO.cp} ${MODULE.cp}`,
				].join('\n'),
			),
		);
		compiledOnBuildHost = compilerRuns(buildHost);
		firstPackages = join(buildHost.dir, 'binhost-kernel-1');
		execFileSync('cp', ['-a', buildHost.path(PKGDIR), firstPackages]);
		server = await serveDirectory(firstPackages);
		buildHostUpgrade = timed('build host: upgrade to kernel 2 from source (beside the first client)', () =>
			runFlow(buildHost, 'build-host-upgrade', `rm ${MASK}\nemerge --quiet-build=y --update --deep --newuse @world`),
		);
		// awaited by the test that needs it; a failure is reported there
		buildHostUpgrade.catch(() => undefined);
	});

	it('the build host made binary packages of the kernel (with its generic image), the virtual and the modules; its compiler ran', async () => {
		const index = binpkgIndex(firstPackages);
		for (const cpv of [
			`sys-kernel/gentoo-kernel-bin-${PV1()}`,
			`virtual/dist-kernel-${PV1()}`,
			`${HELLO.cp}-1`,
			`${MODULE.cp}-1`,
		]) {
			expect(index.map((p) => p.cpv)).toContain(cpv);
		}
		// the module binpkg records the kernel it was built for through the virtual's sub-slot
		expect(builtAgainst(index.find((p) => p.cpv === `${MODULE.cp}-1`)?.fields['RDEPEND'])).toBe(PV1());
		// the hook ran in src_install: the generic image is in the package, beside the kernel image
		expect(buildHost.read(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${PV1()}/CONTENTS`)).toContain(
			`obj ${GENERIC(KV1())} `,
		);
		const modules = await initramfsModules(buildHost.path(GENERIC(KV1())), KV1());
		expect(modules.has('virtio_blk.ko')).toBe(true);
		// the compiler counter the clients are checked with works: the module builds went through it
		expect(compiledOnBuildHost).toBeGreaterThan(0);
	});

	it('a client with default settings: the generic image from the kernel binpkg as it is (no dracut); an initramfs module package later gets its own image', async () => {
		base = track(forkClient(prepared, server!.url));
		await timed('client: kernel 1 + module from the binhost (generic image)', () =>
			runFlow(
				base,
				'client-base',
				`emerge --getbinpkgonly --quiet-build=y sys-kernel/gentoo-kernel-bin ${HELLO.cp}\n${STATUS}`,
			),
		);
		expectOnlyBinaryMerges(base, emergeLogLength(prepared), [
			`sys-kernel/gentoo-kernel-bin-${PV1()}`,
			`virtual/dist-kernel-${PV1()}`,
			`${HELLO.cp}-1`,
		]);
		expect(base.dracutRuns()).toEqual([]);
		expect(
			readFileSync(base.path(`/boot/initramfs-${KV1()}.img`)).equals(readFileSync(buildHost.path(GENERIC(KV1())))),
		).toBe(true);
		expect(
			readFileSync(base.path(`/boot/vmlinuz-${KV1()}`)).equals(
				readFileSync(buildHost.path(`/usr/src/linux-${KV1()}/arch/x86/boot/bzImage`)),
			),
		).toBe(true);
		const first = status(base);
		expect(first.kernels.find((k) => k.kv === KV1())?.origin).toMatchObject({
			origin: 'binhost',
			binhost: '127.0.0.1',
		});
		expect(first.modules.map((m) => [m.cpv, m.builtFor, m.origin.origin, m.origin.binhost])).toEqual([
			[`${HELLO.cp}-1`, KV1(), 'binhost', '127.0.0.1'],
		]);

		// A package with USE=initramfs: the generic image cannot hold its module, so dracut builds one here, once.
		const offset = emergeLogLength(base);
		await runFlow(base, 'client-base-module', `emerge --getbinpkgonly --quiet-build=y ${MODULE.cp}`);
		expectOnlyBinaryMerges(base, offset, [`${MODULE.cp}-1`]);
		expect(base.dracutRuns()).toEqual([KV1()]);
		const image = await initramfsModules(base.path(`/boot/initramfs-${KV1()}.img`), KV1());
		expect(image.has(`${MODULE.module}.ko`)).toBe(true);
	});

	it('the binhost has modules for kernel 1 only: a client upgrading to kernel 2 rebuilds them from source, never takes the kernel-1 build', async () => {
		const plan = await runFlow(
			base,
			'client-base-plan',
			`mv ${MASK} /tmp/mask\nemerge --pretend --verbose --update --deep --newuse --getbinpkg @world 2>&1\nmv /tmp/mask ${MASK}`,
		);
		const line = (cpv: string) => plan.split('\n').find((l) => l.includes(`] ${cpv}`)) ?? `${cpv}: not in the plan`;
		expect(line(`sys-kernel/gentoo-kernel-bin-${PV2()}`)).toMatch(/^\[ebuild/);
		for (const cp of [HELLO.cp, MODULE.cp]) expect(line(`${cp}-1`)).toMatch(/^\[ebuild[^\]]*R[^\]]*\]/);
	});

	it('the build host upgrades to kernel 2: a second build of each module package, recorded against the new sub-slot', async () => {
		await buildHostUpgrade;
		server!.serve(buildHost.path(PKGDIR));
		const index = binpkgIndex(buildHost.path(PKGDIR));
		for (const cp of [HELLO.cp, MODULE.cp]) {
			expect(
				index
					.filter((p) => p.cpv === `${cp}-1`)
					.map((p) => builtAgainst(p.fields['RDEPEND']))
					.sort(),
			).toEqual([PV1(), PV2()].sort());
		}
		expect(index.map((p) => p.cpv)).toContain(`sys-kernel/gentoo-kernel-bin-${PV2()}`);
	});

	it('two clients with different dracut configurations upgrade from the binhost: their own correct images, no compiler, one dracut run each', async () => {
		const a = track(forkClient(base, server!.url));
		a.write('/etc/dracut.conf.d/90-client.conf', 'add_drivers+=" nvme "\n');
		const b = track(forkClient(base, server!.url));
		b.write('/etc/dracut.conf.d/90-client.conf', 'uefi="yes"\nadd_drivers+=" virtio_scsi "\n');
		const offset = emergeLogLength(base);
		const upgrade = `rm ${MASK}\n: > ${DRACUT_LOG}\nemerge --getbinpkgonly --quiet-build=y --update --deep --newuse @world\n${STATUS}\ndist-kernel doctor > /dk-out/doctor.txt 2>&1 || true`;
		await timed('clients a and b: upgrade from the binhost (in parallel)', () =>
			Promise.all([runFlow(a, 'client-a', upgrade), runFlow(b, 'client-b', upgrade)]),
		);
		const md5 = new Map(
			binpkgIndex(buildHost.path(PKGDIR)).map((p) => [
				`${p.cpv} ${builtAgainst(p.fields['RDEPEND'])}`,
				p.fields['MD5'],
			]),
		);
		for (const root of [a, b]) {
			expectOnlyBinaryMerges(root, offset, [
				`sys-kernel/gentoo-kernel-bin-${PV2()}`,
				`virtual/dist-kernel-${PV2()}`,
				`${HELLO.cp}-1`,
				`${MODULE.cp}-1`,
			]);
			expect(root.dracutRuns()).toEqual([KV2()]);
			// the build made for kernel 2, byte for byte the one the binhost lists with that sub-slot
			expect(builtAgainst(root.read(`/var/db/pkg/${MODULE.cp}-1/RDEPEND`))).toBe(PV2());
			expect(root.read(`/var/db/pkg/${MODULE.cp}-1/BINPKGMD5`).trim()).toBe(md5.get(`${MODULE.cp}-1 ${PV2()}`));
			const { kernels, modules } = status(root);
			expect(kernels.find((k) => k.kv === KV2())?.origin).toMatchObject({ origin: 'binhost', binhost: '127.0.0.1' });
			expect(modules.map((m) => [m.cpv, m.builtFor, m.origin.origin, m.origin.binhost]).sort()).toEqual(
				[HELLO.cp, MODULE.cp].map((cp) => [`${cp}-1`, KV2(), 'binhost', '127.0.0.1']),
			);
			expect(root.read('/dk-out/doctor.txt')).not.toContain('ERROR');
		}
		const imageA = await initramfsModules(a.path(`/boot/initramfs-${KV2()}.img`), KV2());
		expect([imageA.has(`${MODULE.module}.ko`), imageA.has('nvme.ko'), imageA.has('virtio_scsi.ko')]).toEqual([
			true,
			true,
			false,
		]);
		const ukiB = await ukiContents(b.path(`/boot/vmlinuz-${KV2()}`), KV2());
		expect(ukiB.sections).toEqual(expect.arrayContaining(['.linux', '.initrd', '.cmdline']));
		expect([
			ukiB.modules.has(`${MODULE.module}.ko`),
			ukiB.modules.has('virtio_scsi.ko'),
			ukiB.modules.has('nvme.ko'),
		]).toEqual([true, true, false]);
	});

	it('a client staying on kernel 1 still gets the kernel-1 build of a module; one whose overlay lacks kernel 2 is told so by doctor', async () => {
		const d = base;
		const offset = emergeLogLength(d);
		const virtual = `/var/db/repos/dist-kernel/virtual/dist-kernel/dist-kernel-${PV2()}.ebuild`;
		expect(d.exists(virtual)).toBe(true);
		const out = await runFlow(
			d,
			'client-d',
			`emerge --getbinpkgonly --oneshot --quiet-build=y ${HELLO.cp}\nrm ${virtual}\ndist-kernel doctor 2>&1 || true`,
		);
		expectOnlyBinaryMerges(d, offset, [`${HELLO.cp}-1`]);
		// the newer build of hello-kmod-1 (for kernel 2) is on the binhost too; the sub-slot picked the kernel-1 one
		expect(builtAgainst(d.read(`/var/db/pkg/${HELLO.cp}-1/RDEPEND`))).toBe(PV1());
		expect(out).toContain('[binhost.version-missing]');
		expect(out).toMatch(
			new RegExp(
				`binhost 127\\.0\\.0\\.1 offers \\S+-${PV2().replaceAll('.', '\\.')}, but the overlay \\S+ has no virtual/dist-kernel-${PV2().replaceAll('.', '\\.')}`,
			),
		);
	});

	it("the machine's own /boot, /lib/modules, /usr/src and /var/db are untouched", () => {
		expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
	});
});
