// End-to-end flows on one temp root, in the order an admin lives them: setup, first install, a sync bringing a new
// kernel version, the upgrade emerge (kernel, virtual, module rebuild), clean, depclean of the old kernel, syncs that
// add and remove versions. Real pieces throughout: the bundled runtime (DIST_KERNEL_TEST_BIN) through the
// generated overlay's eclasses under the PMS shim, the generated post-sync hook, real dracut, the real Debian kernel
// and a module really built against its headers. The second kernel release is the Debian kernel under another
// release name (dracut takes --kver and --kmoddir explicitly, so it builds it like any other).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoRoot } from '../demo/demo-root';
import { debianHeaders, MODULE_FIXTURE, makeSandbox, q, type Sandbox } from '../eclass/harness';
import { runBin, testBin } from '../helpers/bin';
import { type DebianKernel, debianKernel, linkKernelInto } from '../helpers/debian-kernel';
import { type SimContext, type SimPackage, simulateEmerge, simulateUnmerge } from './emerge-sim';

const OVERLAY = '/var/db/repos/dist-kernel';
const GENTOO = '/var/db/repos/gentoo';
const MODULE_CPV = 'app-misc/hello-kmod-1';
/** Files depmod writes after the merge: Portage does not record them, so they stay after an unmerge. */
const DEPMOD_OUTPUT =
	/^modules\.(dep|dep\.bin|alias|alias\.bin|softdep|symbols|symbols\.bin|builtin\.bin|builtin\.alias\.bin|devname|weakdep)$/;

let box: Sandbox;
let kernel: DebianKernel;
let root: string;
let sim: SimContext;
let dracutLog: string;
let kv1: string;
let kv2: string;
let pv1: string;
let pv2: string;
let helloKo: string;
/** The module package's dracut snippet (linux-mod-r1 with USE=initramfs: add_drivers+=" hello "). */
let dracutConf: string;
let runtimeEnv: NodeJS.ProcessEnv;

function dracutRuns(): string[] {
	return existsSync(dracutLog) ? readFileSync(dracutLog, 'utf8').split('\n').filter(Boolean) : [];
}

function files(dir: string): string[] {
	return existsSync(dir)
		? readdirSync(dir)
				.filter((n) => !n.startsWith('.'))
				.sort()
		: [];
}

function overlayVirtuals(): string[] {
	return files(join(root, OVERLAY, 'virtual', 'dist-kernel')).filter((n) => n.endsWith('.ebuild'));
}

function addKernelEbuild(pv: string): void {
	const dir = join(root, GENTOO, 'sys-kernel', 'gentoo-kernel');
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, `gentoo-kernel-${pv}.ebuild`),
		`EAPI=8\nKERNEL_IUSE_GENERIC_UKI=1\ninherit kernel-build\nKEYWORDS="amd64 ~arm64"\n`,
	);
}

/** Every file of a tree as CONTENTS paths, leaving out depmod's output (written in pkg_postinst, not merged). */
function treeFiles(base: string, systemDir: string): string[] {
	return (readdirSync(join(base, systemDir), { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
		.filter((e) => !e.isDirectory() && !DEPMOD_OUTPUT.test(e.name))
		.map((e) => `${e.parentPath.slice(base.length)}/${e.name}`);
}

/** The gentoo-kernel package for `kv` as a merge-list entry: image, VDB entry, kernel-install phases. */
function kernelPackage(pv: string, kv: string): SimPackage {
	const image = join(box.dir, `image-kernel-${pv}`);
	// The image lives under ${D}${EPREFIX}: the phases' ED.
	const ed = join(image, root);
	rmSync(image, { recursive: true, force: true });
	mkdirSync(ed, { recursive: true });
	linkKernelInto(kernel, ed, kv);
	const cpv = `sys-kernel/gentoo-kernel-${pv}`;
	const prelude = [
		`PN=gentoo-kernel PV=${q(pv)} PVR=${q(pv)} P=gentoo-kernel-${q(pv)} SLOT=${q(pv)}`,
		'inherit kernel-install',
		`KV_FULL=${q(kv)}`,
	].join('\n');
	return {
		cpv,
		prelude,
		image,
		preinst: 'EBUILD_PHASE=preinst pkg_preinst',
		postinst: 'EBUILD_PHASE=postinst pkg_postinst',
		vdb: {
			slot: pv,
			use: ['amd64', 'initramfs'],
			iuse: ['+initramfs', 'test'],
			inherited: ['kernel-install', 'dist-kernel-utils'],
			files: [...treeFiles(ed, `/lib/modules/${kv}`), ...treeFiles(ed, `/usr/src/linux-${kv}`)],
		},
		env: { SHIM_INSTALLED: '' },
	};
}

function virtualPackage(pv: string, replaces: string[] = []): SimPackage {
	return {
		cpv: `virtual/dist-kernel-${pv}`,
		vdb: { slot: `0/${pv}`, rdepend: `|| ( ~sys-kernel/gentoo-kernel-${pv} )`, repository: 'dist-kernel' },
		replaces,
	};
}

/** The module package built for `kv` with USE="dist-kernel initramfs" (its postinst asks for a new initramfs). */
function modulePackage(kv: string, virtualPv: string, replaces: string[] = []): SimPackage {
	const image = join(box.dir, `image-module-${kv}`);
	rmSync(image, { recursive: true, force: true });
	mkdirSync(join(image, root, 'lib', 'modules', kv, 'extra'), { recursive: true });
	cpSync(helloKo, join(image, root, 'lib', 'modules', kv, 'extra', 'hello.ko'));
	mkdirSync(join(image, root, 'usr', 'lib', 'dracut', 'dracut.conf.d'), { recursive: true });
	cpSync(dracutConf, join(image, root, 'usr', 'lib', 'dracut', 'dracut.conf.d', '10-hello-kmod.conf'));
	const headers = debianHeaders();
	const prelude = [
		'PN=hello-kmod PV=1 PVR=1 P=hello-kmod-1 SLOT=0',
		'MODULES_INITRAMFS_IUSE=+initramfs',
		'inherit linux-mod-r1',
		`KERNEL_DIR=${q(headers.build)}`,
		'EBUILD_PHASE=setup linux-mod-r1_pkg_setup',
		// The rebuild targets the kernel the virtual selects (here: a renamed copy of the headers' kernel).
		`KV_FULL=${q(kv)} KV_DIR=${q(join(root, 'usr', 'src', `linux-${kv}`))}`,
		'_MODULES_GLOBAL[ran:post_process]=1',
	].join('\n');
	return {
		cpv: MODULE_CPV,
		prelude,
		image,
		postinst: 'EBUILD_PHASE=postinst linux-mod-r1_pkg_postinst',
		vdb: {
			use: ['amd64', 'dist-kernel', 'initramfs', 'strip'],
			iuse: ['dist-kernel', '+initramfs', 'modules-compress', 'modules-sign', '+strip'],
			rdepend: `sys-apps/kmod[tools] virtual/dist-kernel:0/${virtualPv}=`,
			inherited: ['linux-info', 'linux-mod-r1', 'dist-kernel-utils'],
			files: [`/lib/modules/${kv}/extra/hello.ko`, '/usr/lib/dracut/dracut.conf.d/10-hello-kmod.conf'],
		},
		replaces,
		env: { USE: 'dist-kernel initramfs', SHIM_INSTALLED: `virtual/dist-kernel-${virtualPv}` },
	};
}

/** What `emerge sys-kernel/dist-kernel-runtime` installs from the generated overlay that the flows use. */
function installRuntimePackage(): void {
	const hook = join(root, 'etc', 'portage', 'repo.postsync.d', 'dist-kernel');
	mkdirSync(join(root, 'etc', 'portage', 'repo.postsync.d'), { recursive: true });
	cpSync(join(root, OVERLAY, 'sys-kernel', 'dist-kernel-runtime', 'files', 'dist-kernel.postsync'), hook);
	chmodSync(hook, 0o755);
}

/** Portage running the repo.postsync.d hook after syncing ::gentoo. */
function runPostsyncHook(): { code: number; output: string } {
	const hook = join(root, 'etc', 'portage', 'repo.postsync.d', 'dist-kernel');
	const result = spawnSync(hook, ['gentoo', 'rsync://rsync.gentoo.org/gentoo-portage', GENTOO], {
		env: runtimeEnv,
		encoding: 'utf8',
	});
	return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

beforeAll(async () => {
	kernel = await debianKernel();
	kv1 = kernel.kv;
	const match = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(kv1);
	if (!match) throw new Error(`unexpected Debian kernel release ${kv1}`);
	pv1 = `${match[1]}.${match[2]}.${match[3]}`;
	pv2 = `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
	kv2 = `${pv2}${match[4]}`;

	box = makeSandbox();
	root = join(box.dir, 'root');
	makeDemoRoot(root, { uki: false });
	const put = (path: string, text: string) => {
		mkdirSync(join(root, path, '..'), { recursive: true });
		writeFileSync(join(root, path), text);
	};
	put('/etc/dist-kernel/dist-kernel.conf', 'install-backend = builtin\nkernel-packages = sys-kernel/gentoo-kernel\n');
	put('/etc/portage/make.conf', 'USE="dist-kernel"\n');
	put(
		'/etc/portage/repos.conf/gentoo.conf',
		`[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = ${GENTOO}\nsync-type = rsync\nsync-uri = rsync://rsync.gentoo.org/gentoo-portage\n`,
	);
	put(`${GENTOO}/profiles/repo_name`, 'gentoo\n');
	put(`${GENTOO}/metadata/layout.conf`, 'masters =\nthin-manifests = true\n');
	addKernelEbuild(pv1);

	// The runtime as the launcher runs it, confined to the temp root; dracut counted on its way through.
	const bin = join(box.dir, 'bin');
	mkdirSync(bin);
	dracutLog = join(box.dir, 'dracut-runs.log');
	writeFileSync(
		join(bin, 'dist-kernel'),
		`#!/bin/sh\nexec ${q(process.execPath)} ${q(testBin())} --root ${q(root)} "$@"\n`,
	);
	writeFileSync(join(bin, 'dracut'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${q(dracutLog)}\nexec /usr/bin/dracut "$@"\n`);
	chmodSync(join(bin, 'dist-kernel'), 0o755);
	chmodSync(join(bin, 'dracut'), 0o755);
	runtimeEnv = {
		...process.env,
		PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
		DIST_KERNEL_RUNTIME: join(bin, 'dist-kernel'),
		NO_COLOR: '1',
		DIST_KERNEL_RUNNING_KV: kv1,
	};
	sim = { root, work: box.dir, eclassDirs: [join(root, OVERLAY, 'eclass')], env: runtimeEnv };

	// The module package's build, once, against the Debian headers (what its src_compile/src_install do).
	const headers = debianHeaders();
	const work = join(box.dir, 'module-work');
	cpSync(MODULE_FIXTURE, work, { recursive: true });
	const image = join(box.dir, 'module-build-image');
	const built = await box.run(
		[
			'PN=hello-kmod PV=1 PVR=1 P=hello-kmod-1 PF=hello-kmod-1 CATEGORY=app-misc',
			'MODULES_INITRAMFS_IUSE=+initramfs',
			'inherit linux-mod-r1',
			`KERNEL_DIR=${q(headers.build)}`,
			'EBUILD_PHASE=setup linux-mod-r1_pkg_setup',
			`cd ${q(work)} || die`,
			'build() { local modlist=( hello ); local modargs=( KDIR="${KV_OUT_DIR}" ); linux-mod-r1_src_compile; }',
			'EBUILD_PHASE=compile build',
			'EBUILD_PHASE=install linux-mod-r1_src_install',
		].join('\n'),
		{ env: { D: image, USE: 'strip dist-kernel initramfs', EPREFIX: '' } },
	);
	if (built.code !== 0) throw new Error(`module build failed:\n${built.stderr.slice(-3000)}`);
	helloKo = join(image, 'lib', 'modules', headers.kv, 'extra', 'hello.ko');
	dracutConf = join(image, 'usr', 'lib', 'dracut', 'dracut.conf.d', '10-hello-kmod.conf');
});

afterAll(() => box?.cleanup());

describe('end-to-end: a Gentoo system living with dist-kernel', () => {
	it('setup adopts dist-kernel: repos.conf, eclass-overrides, the overlay with a virtual for the kernel in ::gentoo', async () => {
		const result = await runBin(['--root', root, 'setup', '--eclass-overrides'], { env: runtimeEnv });
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('emerge --ask sys-kernel/dist-kernel-runtime');
		const reposConf = readFileSync(join(root, 'etc/portage/repos.conf/dist-kernel.conf'), 'utf8');
		expect(reposConf).toContain(`[dist-kernel]\nlocation = ${OVERLAY}\n`);
		expect(reposConf).toContain('[gentoo]\neclass-overrides = dist-kernel\n');
		expect(overlayVirtuals()).toEqual([`dist-kernel-${pv1}.ebuild`]);
		expect(files(join(root, OVERLAY, 'eclass'))).toEqual([
			'dist-kernel-utils.eclass',
			'kernel-install.eclass',
			'linux-mod-r1.eclass',
		]);
		installRuntimePackage();
	});

	it('first install: kernel → virtual → module with USE="dist-kernel initramfs"', async () => {
		const result = await simulateEmerge(sim, 'first', [
			kernelPackage(pv1, kv1),
			virtualPackage(pv1),
			modulePackage(kv1, pv1),
		]);
		expect(result.code, result.output.slice(-4000)).toBe(0);
		// The module's initramfs refresh is a same-version reinstall: installkernel keeps the previous one as .old.
		expect(files(join(root, 'boot'))).toEqual([
			`System.map-${kv1}`,
			`config-${kv1}`,
			`initramfs-${kv1}.img`,
			`initramfs-${kv1}.img.old`,
			`vmlinuz-${kv1}`,
		]);
		expect(readFileSync(join(root, 'lib', 'modules', kv1, 'modules.dep'), 'utf8')).toContain('extra/hello.ko:');
		expect(readFileSync(dracutConf, 'utf8')).toContain('add_drivers+=" hello "');
		// The module package merges after the kernel, so its initramfs request comes after the kernel's build.
		expect(dracutRuns()).toHaveLength(2);
	});

	it('a sync that adds a kernel version: the post-sync hook adds its virtual', async () => {
		addKernelEbuild(pv2);
		const hook = runPostsyncHook();
		expect(hook.code, hook.output).toBe(0);
		expect(hook.output).toContain(`added virtual/dist-kernel-${pv2}`);
		expect(overlayVirtuals()).toEqual([`dist-kernel-${pv1}.ebuild`, `dist-kernel-${pv2}.ebuild`]);
		// A second sync with no kernel change is a no-op.
		const again = runPostsyncHook();
		expect(again.code).toBe(0);
		expect(again.output).not.toContain('regenerated');
	});

	it('kernel upgrade: new kernel, new virtual, module rebuilt in the same emerge, one dracut run', async () => {
		const before = dracutRuns().length;
		const result = await simulateEmerge(sim, 'upgrade', [
			kernelPackage(pv2, kv2),
			virtualPackage(pv2, [`virtual/dist-kernel-${pv1}`]),
			modulePackage(kv2, pv2, [MODULE_CPV]),
		]);
		expect(result.code, result.output.slice(-4000)).toBe(0);
		expect(dracutRuns().length - before).toBe(1);
		expect(files(join(root, 'boot'))).toEqual([
			`System.map-${kv1}`,
			`System.map-${kv2}`,
			`config-${kv1}`,
			`config-${kv2}`,
			`initramfs-${kv1}.img`,
			`initramfs-${kv1}.img.old`,
			`initramfs-${kv2}.img`,
			`vmlinuz-${kv1}`,
			`vmlinuz-${kv2}`,
		]);
		expect(existsSync(join(root, 'lib', 'modules', kv2, 'extra', 'hello.ko'))).toBe(true);
		expect(existsSync(join(root, 'lib', 'modules', kv1, 'extra', 'hello.ko'))).toBe(false);
		const initramfs = execFileSync('lsinitrd', [join(root, 'boot', `initramfs-${kv2}.img`)], {
			encoding: 'utf8',
			maxBuffer: 64 * 1024 * 1024,
		});
		// Built once, after the module was rebuilt for the new kernel: the module is in it.
		expect(initramfs).toContain(`lib/modules/${kv2}/extra/hello.ko`);
	});

	it('clean keeps the newest kernel and the running one, then removes the old one after depclean', async () => {
		// Still running the old kernel: nothing of it may go.
		const running = await runBin(['--root', root, 'clean', '--keep', '1'], {
			env: { ...runtimeEnv, DIST_KERNEL_RUNNING_KV: kv1 },
		});
		expect(running.code, running.stderr).toBe(0);
		expect(existsSync(join(root, 'boot', `vmlinuz-${kv1}`))).toBe(true);

		// Rebooted into the new one.
		const env = { ...runtimeEnv, DIST_KERNEL_RUNNING_KV: kv2 };
		const cleaned = await runBin(['--root', root, 'clean', '--keep', '1'], { env });
		expect(cleaned.code, cleaned.stderr).toBe(0);
		expect(files(join(root, 'boot'))).toEqual([
			`System.map-${kv2}`,
			`config-${kv2}`,
			`initramfs-${kv2}.img`,
			`vmlinuz-${kv2}`,
		]);
		// The old kernel's package still owns its modules: clean names it for depclean and leaves them.
		expect(cleaned.stderr).toContain(`emerge --ask --depclean =sys-kernel/gentoo-kernel-${pv1}`);
		expect(existsSync(join(root, 'lib', 'modules', kv1))).toBe(true);

		const depclean = await simulateUnmerge(
			{ ...sim, env },
			{
				cpv: `sys-kernel/gentoo-kernel-${pv1}`,
				prelude: [
					`PN=gentoo-kernel PV=${q(pv1)} PVR=${q(pv1)} P=gentoo-kernel-${q(pv1)} SLOT=${q(pv1)}`,
					'inherit kernel-install',
					`KV_FULL=${q(kv1)}`,
				].join('\n'),
				postrm: 'EBUILD_PHASE=postrm pkg_postrm',
			},
		);
		expect(depclean.code, depclean.output.slice(-3000)).toBe(0);
		// depmod's files are left behind by the unmerge; now nobody owns the directory.
		expect(files(join(root, 'lib', 'modules', kv1)).length).toBeGreaterThan(0);
		const leftovers = await runBin(['--root', root, 'clean', '--keep', '1'], { env });
		expect(leftovers.code, leftovers.stderr).toBe(0);
		expect(files(join(root, 'lib', 'modules'))).toEqual([kv2]);
		expect(files(join(root, 'boot'))).toEqual([
			`System.map-${kv2}`,
			`config-${kv2}`,
			`initramfs-${kv2}.img`,
			`vmlinuz-${kv2}`,
		]);
		expect(dracutRuns()).toHaveLength(3);
	});

	it('a sync that removes an uninstalled version removes its virtual; the installed one stays', async () => {
		rmSync(join(root, GENTOO, 'sys-kernel', 'gentoo-kernel', `gentoo-kernel-${pv1}.ebuild`));
		const hook = runPostsyncHook();
		expect(hook.code, hook.output).toBe(0);
		expect(hook.output).toContain(`removed virtual/dist-kernel-${pv1}`);
		expect(overlayVirtuals()).toEqual([`dist-kernel-${pv2}.ebuild`]);

		// The installed virtual's version leaving the repositories too: its ebuild is kept.
		rmSync(join(root, GENTOO, 'sys-kernel', 'gentoo-kernel', `gentoo-kernel-${pv2}.ebuild`));
		const kept = runPostsyncHook();
		expect(kept.code, kept.output).toBe(0);
		expect(overlayVirtuals()).toEqual([`dist-kernel-${pv2}.ebuild`]);
	});
});
