// Coalesced initramfs regeneration: one dracut run per kernel per emerge, where Gentoo runs one in the kernel's
// pkg_postinst and one more in the pkg_postinst of every module package with MODULES_INITRAMFS_IUSE.
//
// Design (the boot entry never points at a missing or knowingly incomplete initramfs):
// - A request is deferred only inside an emerge: the asking package (CAT/PF) is still listed in Portage's resume
//   list (/var/cache/edb/mtimedb; Portage drops an entry only after its pkg_postinst), and other packages still
//   listed will ask again for the same kernel: installed module packages with USE="dist-kernel initramfs" (their
//   linux-mod-r1 postinst calls `dist-kernel initramfs KV`). Anything else is built now.
// - A deferred KERNEL is not installed at all: nothing of the new release is written to /boot, so the boot loader
//   keeps the previous kernel (with its complete initramfs) as default. This is only done when another kernel is
//   installed with an initramfs or UKI and when the rebuilds will target this kernel (virtual/dist-kernel in the
//   merge list, or installed, has this kernel's version). Otherwise the kernel is installed now.
// - A deferred MODULE request leaves the existing image in place (it still boots as before).
// - The work owed is a file /var/lib/dist-kernel/pending/<KV> (kind 'install' or 'initramfs', who asked, which
//   emerge). The last asking package completes it: one `dist-kernel install KV` (kernel deferred) or one
//   rebuild by the caller (module only). If the emerge dies first, completePending (complete-pending.ts) — run at
//   the start of runtime commands, by doctor and by status — completes the work once that emerge process is gone.
// - Completion runs the ordinary install pipeline (installKernel / regenerateInitramfs with `force`), so a
//   completed image is exactly what a direct run builds; its initramfsDone clears the record. A failed completion
//   keeps the record (and the previous default boot entry).
import { parseCpv } from '../../parsers/atom';
import { parsePmsVersion, withoutRevision } from '../../parsers/pms-version';
import type { RuntimeContext } from '../context';
import { scanModules, VIRTUAL_KEY, type ModuleInventory } from '../modules/scan-modules';
import { findBootFiles } from '../status/boot-files';
import { findEmergeAncestor } from './emerge-owner';
import { keysStillToMerge, readMergeList } from './merge-list';
import { clearPending, readPending, recordPending, type PendingWork } from './pending-state';

export interface InitramfsRequest {
	kv: string;
	package?: string;
	reason: 'kernel' | 'module' | 'manual';
}

/** Set in the environment to build directly: no deferring, no completing (e.g. a nested call). */
export const NO_COALESCE_ENV = 'DIST_KERNEL_NO_COALESCE';

function coalescingOff(ctx: RuntimeContext): boolean {
	return !ctx.config.coalesceInitramfs || ctx.env[NO_COALESCE_ENV] === '1';
}

/** Packages that will call `dist-kernel initramfs` again in their pkg_postinst. */
function askingAgain(inventory: ModuleInventory): Set<string> {
	return new Set(inventory.modules.filter((m) => m.distKernel && m.initramfs).map((m) => m.key));
}

/** Whether module rebuilds in this emerge target the kernel package `cpv` (the virtual selects the kernel). */
function rebuildsTarget(cpv: string, later: readonly string[], list: ReturnType<typeof readMergeList>, inventory: ModuleInventory): boolean {
	let pv: string;
	try {
		pv = withoutRevision(parseCpv(cpv).version);
	} catch {
		return false;
	}
	const plainPv = pv.replace(/_p[0-9]*$/, '');
	const virtualInList = list.find((item) => item.cpv.key === VIRTUAL_KEY);
	const virtualVersion = virtualInList ? virtualInList.cpv.version : inventory.virtualVersion ? parsePmsVersion(inventory.virtualVersion) : undefined;
	if (!virtualVersion) return later.length > 0;
	const target = withoutRevision(virtualVersion);
	return target === pv || target === plainPv;
}

function otherKernelBootable(ctx: RuntimeContext, kv: string, inventory: ModuleInventory): boolean {
	return inventory.kernels.some((k) => {
		if (k.kv === kv) return false;
		const files = findBootFiles(ctx.root, k.kv);
		return files.ukis.length > 0 || (files.kernels.length > 0 && files.initrds.length > 0);
	});
}

/**
 * 'now': the caller builds (and installs) immediately, then calls initramfsDone.
 * 'deferred': the caller does nothing more for this kernel now: the work was recorded and will be done once by the
 * last package that asks (or by completePending).
 * { complete }: this is the last asker of a deferred kernel installation: the caller completes that work (its build
 * includes this package's modules) instead of a module-only rebuild.
 */
export type InitramfsPlan = 'now' | 'deferred' | { complete: PendingWork };

export async function planInitramfs(ctx: RuntimeContext, req: InitramfsRequest): Promise<InitramfsPlan> {
	if (coalescingOff(ctx) || !req.package || req.reason === 'manual') return 'now';
	const phase = ctx.env['EBUILD_PHASE'];
	if (phase !== undefined && phase !== 'postinst') return 'now';
	const list = readMergeList(ctx.root, ctx.logger);
	const others = keysStillToMerge(list, req.package);
	if (others === undefined) return 'now';
	const inventory = scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages, writeCache: !ctx.dryRun });
	const asking = askingAgain(inventory);
	const waitingFor = [...new Set(others.filter((key) => asking.has(key)))];
	const owed = readPending(ctx.root, req.kv);

	if (waitingFor.length > 0) {
		if (req.reason === 'kernel' && !(rebuildsTarget(req.package, waitingFor, list, inventory) && otherKernelBootable(ctx, req.kv, inventory))) {
			return 'now';
		}
		const owner = findEmergeAncestor();
		const kind: PendingWork['kind'] = req.reason === 'kernel' ? 'install' : 'initramfs';
		if (ctx.dryRun) {
			ctx.logger.info(`(dry run) would defer the ${kind === 'install' ? 'installation' : 'initramfs'} of ${req.kv} until ${waitingFor.join(', ')} are merged`);
			return 'deferred';
		}
		recordPending(ctx.root, { kv: req.kv, kind, requestedBy: [req.package], waitingFor, since: new Date().toISOString(), ...(owner ? { owner } : {}) });
		ctx.logger.log(
			kind === 'install'
				? `Deferring the installation of kernel ${req.kv} until ${waitingFor.join(', ')} rebuilt their modules for it (one initramfs build instead of ${waitingFor.length + 1}); the current default boot entry stays until then.`
				: `Deferring the initramfs of ${req.kv}: ${waitingFor.join(', ')} will rebuild modules for it later in this emerge.`,
		);
		return 'deferred';
	}
	// Last asker. A deferred kernel installation is finished here (its build includes this package's modules).
	if (owed?.kind === 'install' && req.reason === 'module') return { complete: owed };
	return 'now';
}

/** Called after a successful build+install for `kv`, so pending requests for it can be dropped. */
export async function initramfsDone(ctx: RuntimeContext, kv: string): Promise<void> {
	if (ctx.dryRun) return;
	clearPending(ctx.root, kv);
}
