// Coalesced initramfs regeneration: one image per kernel per emerge, whoever asks. Gentoo builds one in the
// pkg_postinst of every package that asks: the kernel, each module package with MODULES_INITRAMFS_IUSE, and
// linux-firmware / intel-microcode / dkms packages, which ask for every installed kernel (`--all`).
//
// Design (the boot entry never points at a missing or knowingly incomplete initramfs):
// - A request is deferred only inside an emerge: the asking package (CAT/PF) is still listed in Portage's resume
//   list (/var/cache/edb/mtimedb; Portage drops an entry only after its pkg_postinst, so with --jobs every other
//   entry is still to come), and another package still listed will ask for the same kernel (askers.ts), or
//   installs a module the root file system needs that this kernel lacks (waiting-for.ts). Anything else is built
//   now.
// - A deferred KERNEL is not installed at all: nothing of the new release is written to /boot, so the boot loader
//   keeps the previous kernel (with its complete initramfs) as default. This is only done when another kernel is
//   installed with an initramfs or UKI, or when a root-critical module for it is still to come. Otherwise the
//   kernel is installed now.
// - A deferred rebuild of an installed kernel leaves its existing image in place (it still boots as before).
// - The work owed is a file /var/lib/dist-kernel/pending/<KV> (kind 'install' or 'initramfs', who asked, what it
//   waits for, which emerge). The last asking package completes it: one `dist-kernel install KV` (kernel
//   deferred) or one rebuild by the caller. A deferral whose awaited packages all merged without asking is
//   completed by the next request of the same emerge (staleDeferrals). If the emerge dies first, completePending
//   (features/install/complete-pending.ts) — run at the start of runtime commands, by doctor and by status —
//   completes the work once that emerge process is gone.
// - This module only decides; features/install carries the decision out. Completion runs the ordinary install
//   pipeline (features/install/pipeline.ts), so a completed image is exactly what a direct run builds; the pipeline
//   clears the record. A failed completion keeps the record (and the previous default boot entry).

import { timed } from '../../../lib/timing';
import { findBootFiles } from '../../boot/files/boot-files';
import type { RuntimeContext } from '../../context';
import { listPending, type PendingWork, type ProcessRef, readPending, recordPending } from '../../state/pending';
import { findEmergeAncestor } from '../emerge/emerge-owner';
import { itemsStillToMerge, readMergeList } from '../emerge/merge-list';
import { type ModuleInventory, scanModules } from '../vdb/scan-modules';
import { waitingFor as whatToWaitFor } from './waiting-for';

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

function otherKernelBootable(ctx: RuntimeContext, kv: string, inventory: ModuleInventory): boolean {
	return inventory.kernels.some((k) => {
		if (k.kv === kv) return false;
		const files = findBootFiles(ctx.root, k.kv);
		return files.ukis.length > 0 || (files.kernels.length > 0 && files.initrds.length > 0);
	});
}

/**
 * 'now': the caller builds (and installs) immediately; the pipeline then clears the kernel's pending record.
 * 'deferred': the caller does nothing more for this kernel now: the work was recorded and will be done once by the
 * last package that asks (or by completePending).
 * { complete }: this is the last asker of a deferred kernel installation: the caller completes that work (its build
 * includes this package's modules) instead of a module-only rebuild.
 */
export type InitramfsPlan = 'now' | 'deferred' | { complete: PendingWork };

/** `inventory`: the caller's VDB scan for this call, if it has one (else scanned here). */
export function planInitramfs(
	ctx: RuntimeContext,
	req: InitramfsRequest,
	inventory?: () => ModuleInventory,
): Promise<InitramfsPlan> {
	return timed('coalesce-plan', () => planInitramfsNow(ctx, req, inventory));
}

async function planInitramfsNow(
	ctx: RuntimeContext,
	req: InitramfsRequest,
	scan?: () => ModuleInventory,
): Promise<InitramfsPlan> {
	if (coalescingOff(ctx) || !req.package || req.reason === 'manual') return 'now';
	const phase = ctx.env['EBUILD_PHASE'];
	if (phase !== undefined && phase !== 'postinst') return 'now';
	const list = readMergeList(ctx.root, ctx.logger);
	const others = itemsStillToMerge(list, req.package);
	if (others === undefined) return 'now';
	const inventory = scan
		? scan()
		: scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages, writeCache: !ctx.dryRun });
	const waiting = await whatToWaitFor(ctx, req.kv, others, list, inventory);
	const waitingFor = waiting.keys;
	const owed = readPending(ctx.root, req.kv);

	if (waitingFor.length > 0) {
		// A kernel is kept out of /boot only while another one boots, or when it could not mount root anyway.
		if (req.reason === 'kernel' && waiting.rootProviders.length === 0 && !otherKernelBootable(ctx, req.kv, inventory))
			return 'now';
		const owner = findEmergeAncestor();
		const kind: PendingWork['kind'] = req.reason === 'kernel' || owed?.kind === 'install' ? 'install' : 'initramfs';
		if (ctx.dryRun) {
			ctx.logger.info(
				`(dry run) would defer the ${kind === 'install' ? 'installation' : 'initramfs'} of ${req.kv} until ${waitingFor.join(', ')} are merged`,
			);
			return 'deferred';
		}
		recordPending(ctx.root, {
			kv: req.kv,
			kind,
			requestedBy: [req.package],
			waitingFor,
			since: new Date().toISOString(),
			...(owner ? { owner } : {}),
		});
		const root =
			waiting.rootProviders.length > 0
				? ` (the root file system needs ${waiting.missingRoot.map((m) => m.name).join(', ')} from ${waiting.rootProviders.join(', ')})`
				: '';
		ctx.logger.log(
			req.reason === 'kernel'
				? `Deferring the installation of kernel ${req.kv} until ${waitingFor.join(', ')} have merged${root} (one image build instead of ${waitingFor.length + 1}); the current default boot entry stays until then.`
				: `Deferring the initramfs of ${req.kv} (asked by ${req.package}): ${waitingFor.join(', ')} will ask for it later in this emerge${root}.`,
		);
		return 'deferred';
	}
	// Last asker. A deferred kernel installation is finished here (its build includes this package's modules).
	if (owed?.kind === 'install' && req.reason !== 'kernel') return { complete: owed };
	return 'now';
}

function sameProcess(a: ProcessRef | undefined, b: ProcessRef | undefined): boolean {
	return a !== undefined && b !== undefined && a.pid === b.pid && a.start === b.start;
}

/**
 * Deferrals of this emerge whose awaited packages have all merged (a package expected to ask did not, e.g. its USE
 * changed): the caller completes them now rather than leaving them to the next dist-kernel run. `except`: the
 * kernel the current request is about.
 */
export function staleDeferrals(ctx: RuntimeContext, except: string): PendingWork[] {
	if (coalescingOff(ctx) || ctx.dryRun) return [];
	const owed = listPending(ctx.root).filter((work) => work.kv !== except && work.waitingFor.length > 0);
	if (owed.length === 0) return [];
	const owner = findEmergeAncestor();
	if (!owner) return [];
	// The asking package still counts as listed: an `--all` asker is in the middle of its calls, one per kernel.
	const stillListed = new Set(readMergeList(ctx.root).map((item) => item.cpv.key));
	return owed.filter((work) => sameProcess(work.owner, owner) && work.waitingFor.every((key) => !stillListed.has(key)));
}
