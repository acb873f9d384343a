// Which out-of-tree module packages are installed, which kernel each was built for, and which are stale.
// A module package installs files under /lib/modules/<KV>/ or depends on virtual/dist-kernel. The kernel it was
// built for comes from the resolved sub-slot Portage recorded in its RDEPEND (`virtual/dist-kernel:0/<PVR>=`; the
// virtual's PV is the kernel package's PV, and that kernel package's CONTENTS names /lib/modules/<KV>/), and is
// cross-checked with the KV directories in the module package's own CONTENTS.
import { existsSync, readdirSync } from 'node:fs';
import { underRoot } from '../../../lib/root';
import { timed } from '../../../lib/timing';
import { isKernelVersion } from '../../../lib/validate';
import { comparePmsVersions, parsePmsVersion, withoutRevision } from '../../../parsers/pms-version';
import type { ContentsEntry } from '../../../parsers/vdb-contents';
import { type BrokenEntry, type InstalledPackage, type RawEntry, readVdb } from './read-vdb';
import { openSkipCache } from './skip-cache';

export const VIRTUAL_KEY = 'virtual/dist-kernel';
const MODULES_PATH_RE = /^(?:\/usr)?\/lib\/modules\/([^/]+)\/(.+)$/;
const MODULE_FILE_RE = /\.ko(?:\.(?:gz|xz|zst))?$/;
/** MODULES_INITRAMFS_IUSE is `+initramfs` in every Gentoo ebuild that sets it. */
export const INITRAMFS_FLAG = 'initramfs';

export interface KernelInfo {
	kv: string;
	/** The kernel package that installed it (absent for a kernel only found in /lib/modules). */
	cpv?: string;
	key?: string;
	version?: string;
	/** /lib/modules/<KV> exists under root. */
	modulesDir: boolean;
}

export interface ModulePackageInfo {
	cpv: string;
	key: string;
	version: string;
	slot: string;
	/** USE=dist-kernel: Portage rebuilds it through the `virtual/dist-kernel:=` slot operator. */
	distKernel: boolean;
	/** USE=initramfs (MODULES_INITRAMFS_IUSE): its modules belong in the initramfs. */
	initramfs: boolean;
	/**
	 * With USE="dist-kernel initramfs", which kernels its pkg_postinst asks a new image for: 'target', the kernel its
	 * modules were built for (linux-mod-r1: `dist-kernel_reinstall_initramfs "${KV_DIR}" "${KV_FULL}"`); 'all', every
	 * installed kernel (`… --all`: packages of dist-kernel-utils that install no modules themselves, such as
	 * sys-kernel/linux-firmware, sys-firmware/intel-microcode, or dkms packages that build them after the merge).
	 */
	asks?: 'target' | 'all';
	/** The virtual's PVR recorded in RDEPEND. */
	subSlot?: string;
	/** Kernel release it was built for, when known. */
	builtFor?: string;
	/** KV directories its CONTENTS installs into. */
	contentsKvs: string[];
	/** Module files it installed (system paths). */
	modules: string[];
	/** Inconsistencies found while deciding `builtFor`. */
	notes: string[];
}

export interface StaleModule {
	cpv: string;
	key: string;
	builtFor?: string;
	distKernel: boolean;
	reasons: string[];
}

export interface ModuleInventory {
	kernels: KernelInfo[];
	/** Newest kernel by package version (kernels installed by a package only). */
	newest?: KernelInfo;
	virtualVersion?: string;
	modules: ModulePackageInfo[];
	stale: StaleModule[];
	broken: BrokenEntry[];
}

export interface ScanOptions {
	kernelPackages: readonly string[];
	/** Keep /var/cache/dist-kernel/module-scan.json up to date (not under --dry-run). Default: read it only. */
	writeCache?: boolean;
}

export const SCAN_CACHE = '/var/cache/dist-kernel/module-scan.json';

function kvsOf(contents: readonly ContentsEntry[] | undefined): Map<string, string[]> {
	const map = new Map<string, string[]>();
	for (const entry of contents ?? []) {
		const match = MODULES_PATH_RE.exec(entry.path);
		if (!match || !isKernelVersion(match[1]!)) continue;
		const list = map.get(match[1]!) ?? [];
		list.push(entry.path);
		map.set(match[1]!, list);
	}
	return map;
}

function keyOfCpv(cpv: string, keys: readonly string[]): string | undefined {
	return keys.find((key) => cpv.startsWith(`${key}-`) && /^[0-9]/.test(cpv.slice(key.length + 1)));
}

/** Cheap look at raw bytes: is this entry worth parsing for the module scan? */
export function selectForModuleScan(kernelPackages: readonly string[]) {
	const needle = Buffer.from('/lib/modules/');
	return (raw: RawEntry): 'skip' | 'contents' => {
		if (keyOfCpv(raw.cpv, [...kernelPackages, VIRTUAL_KEY])) return 'contents';
		if (raw.rdepend.includes(VIRTUAL_KEY)) return 'contents';
		return raw.contents.includes(needle) ? 'contents' : 'skip';
	};
}

function looksLikeKernel(pkg: InstalledPackage, kernelPackages: readonly string[]): boolean {
	if (kernelPackages.includes(pkg.key)) return true;
	// A kernel package not configured: it installs the image or the kernel's own module lists.
	return (pkg.contents ?? []).some((e) =>
		/^(?:\/usr)?\/lib\/modules\/[^/]+\/(?:vmlinuz|modules\.builtin)$/.test(e.path),
	);
}

function kernelPv(text: string): string {
	const parsed = parsePmsVersion(text);
	return parsed ? withoutRevision(parsed) : text;
}

function listModulesDirs(root: string): string[] {
	try {
		return readdirSync(underRoot(root, '/lib/modules')).filter(isKernelVersion).sort();
	} catch {
		return [];
	}
}

export function scanModules(root: string, options: ScanOptions): ModuleInventory {
	return timed('vdb-scan', () => scanModulesNow(root, options));
}

function scanModulesNow(root: string, options: ScanOptions): ModuleInventory {
	// The cache is only valid for the kernel package list it was built with.
	const skipCache = openSkipCache(underRoot(root, SCAN_CACHE), {
		write: options.writeCache ?? false,
		scope: options.kernelPackages.join(' '),
	});
	const scan = readVdb(root, { select: selectForModuleScan(options.kernelPackages), skipCache });
	const kernelPkgs: Array<{ pkg: InstalledPackage; kv: string }> = [];
	const candidates: InstalledPackage[] = [];
	let virtual: InstalledPackage | undefined;
	for (const pkg of scan.packages) {
		if (pkg.key === VIRTUAL_KEY) {
			if (!virtual || comparePmsVersions(pkg.version, virtual.version) > 0) virtual = pkg;
		} else if (looksLikeKernel(pkg, options.kernelPackages)) {
			const kvs = [...kvsOf(pkg.contents).keys()];
			// A kernel package installs one release; prefer the one holding the image when there are several.
			const kv =
				kvs.find((k) => (pkg.contents ?? []).some((e) => e.path.endsWith(`/lib/modules/${k}/vmlinuz`))) ?? kvs[0];
			if (kv) kernelPkgs.push({ pkg, kv });
		} else candidates.push(pkg);
	}

	const kernels = new Map<string, KernelInfo>();
	for (const { pkg, kv } of kernelPkgs) {
		kernels.set(kv, {
			kv,
			cpv: pkg.cpv,
			key: pkg.key,
			version: pkg.version.text,
			modulesDir: existsSync(underRoot(root, `/lib/modules/${kv}`)),
		});
	}
	for (const kv of listModulesDirs(root)) {
		if (!kernels.has(kv) && existsSync(underRoot(root, `/lib/modules/${kv}/vmlinuz`)))
			kernels.set(kv, { kv, modulesDir: true });
	}
	let newestPkg: { pkg: InstalledPackage; kv: string } | undefined;
	for (const entry of kernelPkgs) {
		if (!newestPkg || comparePmsVersions(entry.pkg.version, newestPkg.pkg.version) > 0) newestPkg = entry;
	}
	const newest = newestPkg ? kernels.get(newestPkg.kv) : undefined;
	const kvByPv = new Map<string, string>();
	for (const { pkg, kv } of kernelPkgs) {
		const pv = withoutRevision(pkg.version);
		kvByPv.set(pv, kv);
		// The virtual matches vanilla-kernel as ~vanilla-kernel-${PV%_p*}.
		const plain = pv.replace(/_p[0-9]*$/, '');
		if (!kvByPv.has(plain)) kvByPv.set(plain, kv);
	}

	const modules: ModulePackageInfo[] = [];
	for (const pkg of candidates) {
		const virtualAtom = pkg.rdepend.find((a) => a.key === VIRTUAL_KEY && a.blocker === '');
		const contentKvs = kvsOf(pkg.contents);
		if (!virtualAtom && contentKvs.size === 0) continue;
		const notes: string[] = [];
		const subSlot = virtualAtom?.subSlot;
		let builtFor: string | undefined;
		const fromSlot = subSlot ? kvByPv.get(kernelPv(subSlot)) : undefined;
		const kvs = [...contentKvs.keys()].sort();
		if (fromSlot) {
			builtFor = fromSlot;
			if (kvs.length > 0 && !kvs.includes(fromSlot)) {
				notes.push(
					`its virtual/dist-kernel sub-slot ${subSlot} means kernel ${fromSlot}, but it installed modules for ${kvs.join(', ')}`,
				);
				builtFor = kvs.length === 1 ? kvs[0] : fromSlot;
			}
		} else if (kvs.length === 1) {
			builtFor = kvs[0];
			if (subSlot)
				notes.push(`no installed kernel package has version ${kernelPv(subSlot)} (its virtual/dist-kernel sub-slot)`);
		} else if (kvs.length > 1) {
			notes.push(`it installed modules for several kernels: ${kvs.join(', ')}`);
			builtFor = kvs[kvs.length - 1];
		} else if (subSlot) {
			notes.push(`no installed kernel package has version ${kernelPv(subSlot)} (its virtual/dist-kernel sub-slot)`);
		}
		const initramfs = pkg.iuse.includes(INITRAMFS_FLAG) && pkg.use.includes(INITRAMFS_FLAG);
		const distKernel = pkg.use.includes('dist-kernel');
		const moduleFiles = [...contentKvs.values()].flat().filter((p) => MODULE_FILE_RE.test(p));
		const asks =
			!distKernel || !initramfs
				? undefined
				: moduleFiles.length > 0
					? 'target'
					: pkg.inherited.includes('dist-kernel-utils')
						? 'all'
						: undefined;
		modules.push({
			cpv: pkg.cpv,
			key: pkg.key,
			version: pkg.version.text,
			slot: pkg.subSlot === undefined ? pkg.slot : `${pkg.slot}/${pkg.subSlot}`,
			distKernel,
			initramfs,
			...(asks ? { asks } : {}),
			...(subSlot !== undefined ? { subSlot } : {}),
			...(builtFor !== undefined ? { builtFor } : {}),
			contentsKvs: kvs,
			modules: moduleFiles,
			notes,
		});
	}

	const stale: StaleModule[] = [];
	for (const mod of modules) {
		const reasons: string[] = [];
		if (mod.builtFor === undefined) {
			if (mod.notes.length > 0) reasons.push(`cannot tell which kernel it was built for: ${mod.notes.join('; ')}`);
		} else if (!kernels.has(mod.builtFor)) {
			reasons.push(`built for kernel ${mod.builtFor}, which is no longer installed`);
		} else if (newest && mod.builtFor !== newest.kv) {
			reasons.push(`built for kernel ${mod.builtFor}, but the newest installed kernel is ${newest.kv}`);
		}
		if (reasons.length === 0) continue;
		if (mod.distKernel && virtual && mod.subSlot !== undefined && mod.subSlot !== virtual.version.text) {
			reasons.push(
				`its recorded virtual/dist-kernel sub-slot ${mod.subSlot} differs from the installed ${virtual.version.text}: the next emerge @world rebuilds it`,
			);
		}
		if (!mod.distKernel) reasons.push('USE=dist-kernel is off, so Portage will not rebuild it by itself');
		stale.push({
			cpv: mod.cpv,
			key: mod.key,
			...(mod.builtFor ? { builtFor: mod.builtFor } : {}),
			distKernel: mod.distKernel,
			reasons,
		});
	}

	const kernelList = [...kernels.values()].sort((a, b) => {
		const x = a.version ? parsePmsVersion(a.version) : undefined;
		const y = b.version ? parsePmsVersion(b.version) : undefined;
		if (x && y) return comparePmsVersions(x, y);
		return a.kv < b.kv ? -1 : a.kv > b.kv ? 1 : 0;
	});
	return {
		kernels: kernelList,
		...(newest ? { newest } : {}),
		...(virtual ? { virtualVersion: virtual.version.text } : {}),
		modules,
		stale,
		broken: scan.broken,
	};
}
