// Two REAL Debian kernel releases turned into gentoo-kernel-bin distfiles (cached once per machine):
// `apt-get download` of linux-image-<abi>-unsigned + linux-headers-<abi>-{amd64,common}, `dpkg -x`, then laid out as
// gentoo-kernel-bin installs a kernel: /usr/src/linux-<KV> (build output: .config, Module.symvers, generated headers,
// bzImage, System.map) whose Makefile includes the separate source half /usr/src/linux-headers-<KV>-common (a
// split build tree, as kernels built with O=), /lib/modules/<KV> with build/source/vmlinuz links and modules.dep.
// The release is renamed from Debian's <abi> (6.1.0-57-amd64) to Gentoo's <PV>-gentoo-dist so that
// kernel-install.eclass's PV check holds: kernel.release, utsrelease.h, .kernelvariables and the modules directory
// say <KV>.
// The image and the modules are Debian's bytes; only vermagic strings inside the in-tree modules keep the ABI name.
// To keep merges quick the package holds 28 of Debian's ~4000 modules (KEPT_MODULES and what they depend on) and of
// the source half's headers the ~450 a module build reads (trimHeaders): 574 files instead of 7469, 20 MB instead of
// 148 MB, and every kernel merge (Portage's QA, checksums, merge; depmod) shorter for it.
import { execFileSync } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	readlinkSync,
	realpathSync,
	renameSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { acquireLock } from '../../src/lib/lock';
import { CACHE_DIR } from '../helpers/debian-kernel';

export interface KernelRelease {
	/** Gentoo package version, the upstream part of Debian's version (6.1.192). */
	pv: string;
	/** Kernel release as installed: <pv>-gentoo-dist. */
	kv: string;
	/** Debian ABI name (6.1.0-57-amd64). */
	abi: string;
	/** Debian package version (6.1.192-3). */
	debianVersion: string;
	/** Distfile name (an uncompressed tar in the distfiles dir). */
	distfile: string;
}

export const DISTFILES_DIR = join(CACHE_DIR, 'portage-distfiles');
export const KV_LOCALVERSION = '-gentoo-dist';
/** Bumped when the distfile layout changes: cached distfiles of another format are rebuilt. */
const FORMAT = 6;

function sh(file: string, args: string[], cwd?: string): string {
	return execFileSync(file, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** linux-image-amd64's versions apt offers (bookworm, bookworm-security…), newest first, with their ABI package. */
export function availableReleases(): { debianVersion: string; abi: string }[] {
	const out = sh('apt-cache', ['madison', 'linux-image-amd64']);
	const versions = [
		...new Set(
			out
				.split('\n')
				.map((line) => line.split('|')[1]?.trim())
				.filter((v): v is string => !!v),
		),
	];
	const releases: { debianVersion: string; abi: string }[] = [];
	for (const debianVersion of versions) {
		const deps = sh('apt-cache', ['depends', `linux-image-amd64=${debianVersion}`]);
		const abi = /Depends: linux-image-([0-9][^\s]*-amd64)\b/.exec(deps)?.[1];
		if (abi && !releases.some((r) => r.abi === abi)) releases.push({ debianVersion, abi });
	}
	return releases;
}

function upstreamOf(debianVersion: string): string {
	const pv = /^([0-9]+\.[0-9]+\.[0-9]+)/.exec(debianVersion)?.[1];
	if (!pv) throw new Error(`cannot read an upstream kernel version from Debian version ${debianVersion}`);
	return pv;
}

function link(target: string, path: string): void {
	rmSync(path, { force: true, recursive: true });
	symlinkSync(target, path);
}

/**
 * Modules kept in the package: the ones tests name (add_drivers, images they read) and what the generic images'
 * block/file-system modules need, with everything these depend on (modules.dep). Every other module would only slow
 * each kernel merge down: Portage's install QA runs `file` on each .ko, the merge checksums each file, depmod and
 * the generic image's dracut read them.
 */
const KEPT_MODULES = [
	'virtio_blk',
	'virtio_scsi',
	'virtio_pci',
	'nvme',
	'ahci',
	'sd_mod',
	'ext4',
	'vfat',
	'nls_cp437',
	'nls_iso8859-1',
];

/** Modules of modules.dep ("kernel/a.ko: kernel/b.ko …") outside the dependency closure of `keep`. */
function unneededModules(modulesDep: string, keep: readonly string[]): string[] {
	const name = (path: string) => (path.split('/').pop() ?? path).replace(/\.ko(\.[a-z]+)?$/, '').replaceAll('-', '_');
	const deps = new Map<string, string[]>();
	for (const line of modulesDep.split('\n')) {
		const [module, rest] = line.split(':');
		if (module && rest !== undefined) deps.set(module, rest.split(' ').filter(Boolean));
	}
	const wanted = new Set(keep.map((k) => k.replaceAll('-', '_')));
	const kept = new Set<string>();
	const visit = (module: string) => {
		if (kept.has(module)) return;
		kept.add(module);
		for (const dep of deps.get(module) ?? []) visit(dep);
	};
	for (const module of deps.keys()) if (wanted.has(name(module))) visit(module);
	const missing = [...wanted].filter((w) => ![...kept].some((m) => name(m) === w));
	if (missing.length > 0) throw new Error(`the kernel package lacks modules the tests need: ${missing.join(', ')}`);
	return [...deps.keys()].filter((m) => !kept.has(m));
}

function trimModules(tree: string, kv: string): void {
	const modules = join(tree, 'lib', 'modules', kv);
	sh('depmod', ['-b', tree, kv]);
	for (const module of unneededModules(readFileSync(join(modules, 'modules.dep'), 'utf8'), KEPT_MODULES)) {
		rmSync(join(modules, module));
	}
	removeEmptyDirs(join(modules, 'kernel'));
}

function removeEmptyDirs(dir: string): boolean {
	let empty = true;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		if (!entry.isDirectory() || !removeEmptyDirs(join(dir, entry.name))) empty = false;
	}
	if (empty) rmSync(dir, { recursive: true });
	return empty;
}

/** The path with every link resolved, undefined for a link to nothing (a header removed before its link). */
function realPath(path: string): string | undefined {
	try {
		return realpathSync(path);
	} catch {
		return undefined;
	}
}

/** The module source every module package of the stand-in ::gentoo builds (stand-in-gentoo.ts's MODULE_FIXTURE). */
const MODULE_SOURCE = join(import.meta.dirname, '..', 'fixtures', 'module-src');

/**
 * Headers of the source half a module build reads: the test module is built here against the tree (host gcc and
 * kbuild scripts, as in the test roots) and fixdep's dependency lists (.*.cmd) name them. Every other .h goes:
 * some 6000 of 6600 files Portage would otherwise QA-scan, checksum and merge in every kernel merge. The module
 * packages building in every real-Portage flow prove the rest is enough.
 */
function trimHeaders(tree: string, out: string, common: string, work: string): void {
	const module = join(work, 'module');
	cpSync(MODULE_SOURCE, module, { recursive: true });
	// the tree's scripts/tools links point at Debian's linux-kbuild under its own /usr/lib, here the host's
	const kbuildLinks = new Set<string>();
	for (const dir of [out, common]) {
		for (const name of ['scripts', 'tools']) {
			const target = readlinkSync(join(dir, name));
			const kbuild = dirname(resolve(dir, target));
			if (!existsSync(kbuild)) {
				mkdirSync(dirname(kbuild), { recursive: true });
				symlinkSync(join('/usr/lib', basename(kbuild)), kbuild);
				kbuildLinks.add(kbuild);
			}
		}
	}
	const makefile = join(out, 'Makefile');
	const finalMakefile = readFileSync(makefile, 'utf8');
	writeFileSync(makefile, `include ${common}/Makefile\n`);
	try {
		sh('make', ['-C', out, `M=${module}`, 'modules']);
	} finally {
		writeFileSync(makefile, finalMakefile);
		for (const link of kbuildLinks) rmSync(link);
		if (kbuildLinks.size > 0) removeEmptyDirs(join(tree, 'usr', 'lib'));
	}
	const read = new Set<string>();
	for (const name of readdirSync(module)) {
		if (!name.endsWith('.cmd')) continue;
		for (const token of readFileSync(join(module, name), 'utf8').split(/[\s\\()$]+/)) {
			const path = resolve(out, token);
			if (token && existsSync(path)) read.add(realpathSync(path));
		}
	}
	if (![...read].some((p) => p.endsWith('/include/linux/module.h')))
		throw new Error(`reading the test module's header dependencies failed: no linux/module.h in ${module}/.*.cmd`);
	const prune = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) prune(path);
			else if (entry.name.endsWith('.h') && !read.has(realPath(path) ?? '')) rmSync(path);
		}
	};
	for (const dir of [join(common, 'include'), join(common, 'arch', 'x86', 'include')]) {
		prune(dir);
		removeEmptyDirs(dir);
	}
	rmSync(module, { recursive: true, force: true });
}

/** System.map lines for the symbols vmlinux exports, from Module.symvers ("crc<TAB>symbol<TAB>vmlinux<TAB>…"). */
export function systemMapFromSymvers(symvers: string): string {
	const lines: string[] = [];
	for (const line of symvers.split('\n')) {
		const [, symbol, module] = line.split('\t');
		if (symbol && module === 'vmlinux') lines.push(`ffffffff81000000 r __ksymtab_${symbol}`);
	}
	return `${lines.join('\n')}\n`;
}

function buildDistfile(release: KernelRelease, work: string): void {
	const { abi, kv, pv } = release;
	rmSync(work, { recursive: true, force: true });
	mkdirSync(join(work, 'debs'), { recursive: true });
	const pkgs = [
		`linux-image-${abi}-unsigned`,
		`linux-headers-${abi}`,
		`linux-headers-${abi.replace(/-amd64$/, '')}-common`,
	];
	sh('apt-get', ['download', '-q', ...pkgs.map((p) => `${p}=${release.debianVersion}`)], join(work, 'debs'));
	const x = join(work, 'x');
	for (const deb of readdirSync(join(work, 'debs'))) sh('dpkg', ['-x', join(work, 'debs', deb), x]);
	const tree = join(work, 'tree');
	const src = join(tree, 'usr', 'src');
	mkdirSync(src, { recursive: true });
	// the source half under a name of this release (Debian's name would collide with the host's own headers package)
	const debianCommon = `linux-headers-${abi.replace(/-amd64$/, '')}-common`;
	const common = `linux-headers-${kv}-common`;
	renameSync(join(x, 'usr', 'src', debianCommon), join(src, common));
	// the source half carries every architecture's headers; an amd64 module build reads arch/x86 only
	for (const arch of readdirSync(join(src, common, 'arch'))) {
		if (arch !== 'x86') rmSync(join(src, common, 'arch', arch), { recursive: true, force: true });
	}
	const out = join(src, `linux-${kv}`);
	renameSync(join(x, 'usr', 'src', `linux-headers-${abi}`), out);
	// include/config/<SYMBOL>: ~6000 empty files fixdep tracks for the kernel's own rebuilds; a module build only
	// reads auto.conf and kernel.release
	for (const entry of readdirSync(join(out, 'include', 'config'), { withFileTypes: true })) {
		if (entry.isFile() && statSync(join(out, 'include', 'config', entry.name)).size === 0)
			rmSync(join(out, 'include', 'config', entry.name));
	}
	writeFileSync(join(out, 'include', 'config', 'kernel.release'), `${kv}\n`);
	writeFileSync(join(out, 'Makefile'), `include /usr/src/${common}/Makefile\n`);
	const variables = join(out, '.kernelvariables');
	writeFileSync(
		variables,
		readFileSync(variables, 'utf8').replace(/^override KERNELRELEASE = .*$/m, `override KERNELRELEASE = ${kv}`),
	);
	writeFileSync(join(out, 'include', 'generated', 'utsrelease.h'), `#define UTS_RELEASE "${kv}"\n`);
	mkdirSync(join(out, 'arch', 'x86', 'boot'), { recursive: true });
	renameSync(join(x, 'boot', `vmlinuz-${abi}`), join(out, 'arch', 'x86', 'boot', 'bzImage'));
	// Debian's System.map is a one-line stub (the real one is in the -dbg package); depmod -F needs the kernel's
	// exported symbols, which Module.symvers lists: written as the __ksymtab_ entries depmod reads.
	writeFileSync(join(out, 'System.map'), systemMapFromSymvers(readFileSync(join(out, 'Module.symvers'), 'utf8')));
	// kernel-build.eclass writes this identifier for `emerge --config` hints
	writeFileSync(join(out, 'dist-kernel'), `sys-kernel/gentoo-kernel-bin-${pv}:${pv}\n`);
	trimHeaders(tree, out, join(src, common), work);
	const modules = join(tree, 'lib', 'modules', kv);
	mkdirSync(join(tree, 'lib', 'modules'), { recursive: true });
	renameSync(join(x, 'lib', 'modules', abi), modules);
	trimModules(tree, kv);
	link(`../../../usr/src/linux-${kv}`, join(modules, 'build'));
	link(`../../../usr/src/${common}`, join(modules, 'source'));
	link(`../../../usr/src/linux-${kv}/arch/x86/boot/bzImage`, join(modules, 'vmlinuz'));
	sh('depmod', ['-b', tree, kv]);
	const staging = join(DISTFILES_DIR, `${release.distfile}.tmp`);
	sh('tar', ['--numeric-owner', '--owner=0', '--group=0', '-cf', staging, '-C', tree, 'usr', 'lib']);
	renameSync(staging, join(DISTFILES_DIR, release.distfile));
	rmSync(work, { recursive: true, force: true });
}

/** The two newest Debian kernel releases apt offers, as gentoo-kernel-bin distfiles (oldest first). */
export async function kernelReleases(): Promise<KernelRelease[]> {
	mkdirSync(DISTFILES_DIR, { recursive: true });
	const lock = await acquireLock(join(DISTFILES_DIR, '.lock'));
	try {
		const index = join(DISTFILES_DIR, `kernels-v${FORMAT}.json`);
		if (existsSync(index)) {
			const cached = JSON.parse(readFileSync(index, 'utf8')) as KernelRelease[];
			if (cached.every((r) => existsSync(join(DISTFILES_DIR, r.distfile)))) return cached;
		}
		const offered = availableReleases();
		if (offered.length < 2) {
			throw new Error(
				`real-Portage flows need two Debian kernel releases (an upgrade), apt offers ${offered.length}: ` +
					`${offered.map((r) => r.abi).join(', ') || 'none'} (apt-cache madison linux-image-amd64; enable bookworm-security)`,
			);
		}
		const releases = offered
			.slice(0, 2)
			.reverse()
			.map(({ debianVersion, abi }): KernelRelease => {
				const pv = upstreamOf(debianVersion);
				return {
					pv,
					kv: `${pv}${KV_LOCALVERSION}`,
					abi,
					debianVersion,
					distfile: `gentoo-kernel-bin-${pv}-debian-${abi}-v${FORMAT}.tar`,
				};
			});
		if (releases[0]!.pv === releases[1]!.pv) throw new Error(`both Debian kernel releases are ${releases[0]!.pv}`);
		for (const release of releases) {
			if (!existsSync(join(DISTFILES_DIR, release.distfile)))
				buildDistfile(release, join(DISTFILES_DIR, `work-${release.pv}`));
		}
		writeFileSync(index, `${JSON.stringify(releases, null, '\t')}\n`);
		return releases;
	} finally {
		lock.release();
	}
}
