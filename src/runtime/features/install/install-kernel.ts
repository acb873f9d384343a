// `dist-kernel install KV` and `dist-kernel initramfs KV`: first the coalescing logic decides (portage/coalesce:
// build now, defer, or complete a deferred installation), then the pipeline (pipeline.ts) does what was decided.
// The pipeline never asks the coalescing logic again.
import type { RuntimeContext } from '../../context';
import { planInitramfs, staleDeferrals } from '../../portage/coalesce/plan';
import {
	buildAndInstall,
	completeDeferred,
	type InstallOptions,
	type InstallReason,
	type InstallResult,
	inventoryOnce,
	prepareInstall,
} from './pipeline';

async function request(
	ctx: RuntimeContext,
	kv: string,
	options: InstallOptions,
	initrdOnly: boolean,
	reason: InstallReason,
): Promise<InstallResult> {
	// The boot layout is checked before the lock, dracut or any write: a layout we cannot honour fails with
	// nothing built or changed.
	const backend = await prepareInstall(ctx, kv, options);
	// the VDB is read once for this call: the coalescing plan, the root-critical check and the prebuilt check share it
	const inventory = inventoryOnce(ctx);
	const plan = await planInitramfs(
		ctx,
		{ kv, reason, ...(options.package ? { package: options.package } : {}) },
		inventory,
	);
	// Deferrals of this emerge nobody is left to ask for: completed now, each once.
	const stale = staleDeferrals(ctx, kv);
	if (plan !== 'now') {
		// Deferred: planInitramfs already told the admin. Last asker of a deferred kernel: that installation is
		// the one build, and it includes this package's modules.
		if (plan !== 'deferred') await completeDeferred(ctx, plan.complete);
		for (const work of stale) await completeDeferred(ctx, work);
		ctx.logger.debug(`no build for ${kv} in this call (coalesced)`);
		return { kv, status: 'deferred', files: [] };
	}
	for (const work of stale) await completeDeferred(ctx, work);
	return buildAndInstall(ctx, kv, backend, options, initrdOnly, reason, inventory);
}

export function installKernel(ctx: RuntimeContext, kv: string, options: InstallOptions = {}): Promise<InstallResult> {
	return request(ctx, kv, options, false, 'kernel');
}

/** `dist-kernel initramfs KV`: a new initramfs (or UKI) for an installed kernel. */
export function regenerateInitramfs(
	ctx: RuntimeContext,
	kv: string,
	options: InstallOptions & { reason?: 'module' | 'manual' } = {},
): Promise<InstallResult> {
	return request(ctx, kv, options, true, options.reason ?? (options.package ? 'module' : 'manual'));
}
