// Out-of-tree modules the system cannot mount its root file system without. An image built for a kernel that
// lacks one of them boots into a dracut emergency shell, so such an image is never built or promoted (installkernel's
// 52-dracut plugin stops with 77 for ZFS for the same reason). Two sources, both read-only:
// - the root file system type (/proc/mounts under --root, the mount on `/`): zfs, or any type whose module an
//   installed package puts under /lib/modules (bcachefs-kmod, …);
// - what the current image loads from /lib/modules/<KV>/extra or /updates (out-of-tree directories), read with
//   our initramfs reader: the image of the running kernel, else of the newest other kernel that has one; it is
//   required of newer kernels (and of kernels not installed yet).
import { readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { isDistKernelError } from '../../../lib/errors';
import { underRoot } from '../../../lib/root';
import { timed } from '../../../lib/timing';
import { mountAt, parseProcMounts } from '../../../parsers/proc-mounts';
import { runningKernel } from '../../boot/files/running-kernel';
import type { RuntimeContext } from '../../context';
import { type KernelImage, kernelImages, modulesUnder } from '../../images/initramfs-reader/kernel-images';
import type { InitramfsListing } from '../../images/initramfs-reader/read-initramfs';
import type { ModulePackageInfo } from '../vdb/scan-modules';

export interface RootCriticalModule {
	/** Module name without `.ko`, e.g. `zfs`. */
	name: string;
	/** Why it is needed, for messages. */
	why: string;
	/** Package (CAT/PN) that installs it for the other kernels: the one to rebuild. */
	provider?: string;
	/** The kernel whose current image loads it (absent when the root file system type alone requires it). */
	loadedBy?: string;
}

export const OUT_OF_TREE_DIRS = ['extra', 'updates'] as const;
const MODULE_RE = /\/([^/]+)\.ko(?:\.(?:gz|xz|zst))?$/;

/** File systems whose module is out of tree even when no installed package says so. */
const OUT_OF_TREE_FS: Record<string, string> = { zfs: 'zfs' };

/** Root file system type as /proc/mounts shows it under root, if readable. */
export function rootFsType(root: string): string | undefined {
	try {
		return mountAt(parseProcMounts(readFileSync(underRoot(root, '/proc/mounts'), 'utf8')), '/')?.fstype;
	} catch {
		return undefined;
	}
}

/** What is read from the module scan (or a status report): kernels oldest first, module packages. */
export interface KernelsAndModules {
	kernels: ReadonlyArray<{ kv: string }>;
	modules: readonly ModulePackageInfo[];
}

/** Module name → package key, for every module file an installed module package owns. */
export function moduleProviders(inventory: KernelsAndModules): Map<string, string> {
	const out = new Map<string, string>();
	for (const pkg of inventory.modules) {
		for (const file of pkg.modules) {
			const match = MODULE_RE.exec(file);
			if (match) out.set(match[1]!, pkg.key);
		}
	}
	return out;
}

/** Names of every module file under /lib/modules/<kv> (any directory), plus modules.builtin. */
export function modulesOf(root: string, kv: string): Set<string> {
	const dir = underRoot(root, `/lib/modules/${kv}`);
	const names = new Set<string>();
	let files: string[] = [];
	try {
		files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
	} catch {
		return names;
	}
	for (const file of files) {
		const match = MODULE_RE.exec(`/${file}`);
		if (match) names.add(match[1]!);
	}
	try {
		for (const line of readFileSync(`${dir}/modules.builtin`, 'utf8').split('\n')) {
			const match = MODULE_RE.exec(`/${line.trim()}`);
			if (match) names.add(match[1]!);
		}
	} catch {
		// No builtin list: nothing built in that we know of.
	}
	return names;
}

const listings = new Map<string, Promise<InitramfsListing>>();

/** Reads an image once per process while it is unchanged (a runtime call asks several times). */
function readCached(image: KernelImage): Promise<InitramfsListing> {
	let st: Stats;
	try {
		st = statSync(image.fullPath);
	} catch {
		return image.read(); // reports the unreadable file as a DistKernelError
	}
	const key = `${image.fullPath}\0${st.size}\0${st.mtimeMs}`;
	let listing = listings.get(key);
	if (!listing) {
		listing = image.read();
		listings.set(key, listing);
	}
	return listing;
}

/** The root-critical modules, judged from outside kernel `forKv` (its own image is what is being decided). */
export function rootCriticalModules(
	ctx: Pick<RuntimeContext, 'root' | 'exec' | 'env' | 'logger'>,
	inventory: KernelsAndModules,
	forKv: string,
): Promise<RootCriticalModule[]> {
	return timed('root-critical', () => findRootCritical(ctx, inventory, forKv));
}

async function findRootCritical(
	ctx: Pick<RuntimeContext, 'root' | 'exec' | 'env' | 'logger'>,
	inventory: KernelsAndModules,
	forKv: string,
): Promise<RootCriticalModule[]> {
	const providers = moduleProviders(inventory);
	const found = new Map<string, RootCriticalModule>();
	const fsType = rootFsType(ctx.root);
	if (fsType) {
		const name = OUT_OF_TREE_FS[fsType] ?? fsType;
		const provider = providers.get(name);
		if (provider || OUT_OF_TREE_FS[fsType]) {
			found.set(name, {
				name,
				why: `the root file system is ${fsType}`,
				...((provider ?? guessProvider(name)) ? { provider: provider ?? guessProvider(name)! } : {}),
			});
		}
	}
	// The current image: the running kernel's, else the newest other kernel's. What it loads from the out-of-tree
	// directories is required of kernels newer than it (the upgrade direction; an older kernel keeps the image it
	// was booted with) and of kernels not installed yet.
	const all = inventory.kernels.map((k) => k.kv);
	const running = runningKernel(ctx).kv;
	const others = all.filter((kv) => kv !== forKv);
	const order = [...(others.includes(running) ? [running] : []), ...others.filter((kv) => kv !== running).reverse()];
	for (const kv of order) {
		if (all.includes(forKv) && all.indexOf(forKv) < all.indexOf(kv)) continue;
		const images = kernelImages(ctx.exec, ctx.root, kv);
		if (images.length === 0) continue;
		try {
			const listing = await readCached(images[0]!);
			for (const [name, rel] of modulesUnder(listing, kv, OUT_OF_TREE_DIRS)) {
				if (found.has(name)) continue;
				const provider = providers.get(name);
				found.set(name, {
					name,
					why: `the initramfs of ${kv} loads it from /lib/modules/${kv}/${rel}`,
					loadedBy: kv,
					...(provider ? { provider } : {}),
				});
			}
		} catch (error) {
			if (!isDistKernelError(error)) throw error;
			ctx.logger.debug(`cannot read ${images[0]!.path} to find root-critical modules: ${error.message}`);
			continue;
		}
		break;
	}
	return [...found.values()];
}

function guessProvider(name: string): string | undefined {
	return name === 'zfs' ? 'sys-fs/zfs-kmod' : undefined;
}

/** The root-critical modules kernel `kv` does not have. */
export function missingRootModules(
	root: string,
	kv: string,
	critical: readonly RootCriticalModule[],
): RootCriticalModule[] {
	if (critical.length === 0) return [];
	const present = modulesOf(root, kv);
	return critical.filter((m) => !present.has(m.name));
}
