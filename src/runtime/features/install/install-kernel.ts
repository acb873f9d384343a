// `dist-kernel install KV`: initramfs or UKI, then the install backend, then opt-in boot loader updates.
// Everything that can fail without touching /boot (kernel files, dracut config, stub, keys, dracut itself, free
// space) is done first; /boot changes only through a transaction.
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { refreshRescueImage } from '../../images/rescue/refresh-rescue';
import { parseCpv } from '../../../parsers/atom';
import { assertKernelVersion, printable } from '../../../lib/validate';
import type { RuntimeContext } from '../../context';
import { selectBackend } from '../../boot/backends/select';
import type { Backend, KernelArtifacts } from '../../boot/files/types';
import { readInstallConf } from '../../boot/settings/read-install-conf';
import { updateBootloaders } from '../../boot/loaders/update';
import { initramfsDone, planInitramfs, staleDeferrals } from '../../portage/coalesce/plan';
import type { PendingWork } from '../../state/pending';
import { scanModules, type ModuleInventory } from '../../portage/vdb/scan-modules';
import { rootModuleError } from '../../portage/root-modules/root-module-error';
import { missingRootModules, rootCriticalModules } from '../../portage/root-modules/root-critical';
import { buildBootImages } from '../../images/build/build-image';
import { installedImageForm } from '../../images/build/image-form';
import { findKernelFiles } from '../../images/build/kernel-files';
import { withBootLock } from '../../boot/transaction/boot-lock';
import { withWorkDir } from '../../images/build/work-dir';
import { keepInstalledImage, keptMessage, settleVerification, verifyBeforeInstall } from './verify-step';
import { refreshModuleIndex } from './refresh-module-index';
import { firmwareStartsKernel } from '../../images/secureboot/firmware-image';
import { timed } from '../../../lib/timing';

export interface InstallOptions {
	/** System path of the kernel image (default: /lib/modules/KV/vmlinuz, then /usr/src/linux-KV/…). */
	image?: string | undefined;
	/** CAT/PF of the package asking (for the coalescing logic and messages). */
	package?: string | undefined;
	/** Build even if the coalescing logic would defer (it is calling us to do the deferred work). */
	force?: boolean | undefined;
	/** `install --force`: no boot verification even with verify-boot = qemu. */
	skipVerify?: boolean | undefined;
}

export interface InstallResult {
	kv: string;
	/**
	 * 'kept': the installed image was left in place: a new initramfs failed boot verification, or a rebuild asked by a
	 * pkg_postinst was refused because a root-critical module is missing.
	 */
	status: 'installed' | 'deferred' | 'kept';
	verification?: 'verified' | 'failed' | 'unavailable';
	backend?: string;
	uki?: boolean;
	files: string[];
}

/** CAT/PF as the eclasses pass it (${CATEGORY}/${PF}): plain characters only, one slash. */
export function validatePackage(pkg: string | undefined): void {
	if (pkg === undefined) return;
	if (!/^[A-Za-z0-9_][A-Za-z0-9+_.-]*\/[A-Za-z0-9_][A-Za-z0-9+_.-]*$/.test(pkg)) {
		throw new DistKernelError('input.package', `Expected --package to be CAT/PF such as sys-kernel/gentoo-kernel-6.6.30, got \`${printable(pkg)}\``, { exitCode: 2 });
	}
}

async function installWith(ctx: RuntimeContext, backend: Backend, kv: string, artifacts: KernelArtifacts): Promise<{ backend: string; files: string[] }> {
	const end = ctx.logger.begin(`Installing ${artifacts.uki ? 'unified kernel image' : 'kernel'} ${kv} (${backend.name})`);
	try {
		const files = await timed('install-files', () => backend.install(artifacts));
		end(true);
		return { backend: backend.name, files };
	} catch (error) {
		end(false);
		throw error;
	}
}

/**
 * Everything from outside (KV, --package, --image, the kernel's files) is checked before any write: before the
 * lock file, the work directory or deferred work from an earlier emerge.
 */
export function validateInstallRequest(ctx: Pick<RuntimeContext, 'root'>, kv: string, options: Pick<InstallOptions, 'image' | 'package'> = {}): void {
	assertKernelVersion(kv);
	validatePackage(options.package);
	findKernelFiles(ctx, kv, { image: options.image });
}

async function pipeline(ctx: RuntimeContext, kv: string, options: InstallOptions, initrdOnly: boolean, reason: 'kernel' | 'module' | 'manual'): Promise<InstallResult> {
	validateInstallRequest(ctx, kv, options);
	// The boot layout is checked before the lock, dracut or any write: a layout we cannot honour fails with
	// nothing built or changed.
	const backend = await selectBackend(ctx);
	await backend.check?.(kv);
	// the VDB is read once for this call: the coalescing plan, the root-critical check and the prebuilt check share it
	let scanned: ModuleInventory | undefined;
	const inventory = () => (scanned ??= scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages, writeCache: !ctx.dryRun }));
	if (!options.force) {
		const plan = await planInitramfs(ctx, { kv, reason, ...(options.package ? { package: options.package } : {}) }, inventory);
		if (plan !== 'now') {
			// Deferred: planInitramfs already told the admin. Last asker of a deferred kernel: that installation is
			// the one build, and it includes this package's modules.
			if (plan !== 'deferred') await completeDeferred(ctx, plan.complete);
			await completeStale(ctx, kv);
			ctx.logger.debug(`no build for ${kv} in this call (coalesced)`);
			return { kv, status: 'deferred', files: [] };
		}
		await completeStale(ctx, kv);
	}
	if (!(await timed('root-modules-check', () => rootModulesPresent(ctx, kv, initrdOnly, reason, inventory())))) return { kv, status: 'kept', files: [] };
	// A rebuild keeps the kernel's image form (UKI or initramfs); an installation follows the configuration.
	const uki = initrdOnly ? installedImageForm(ctx, kv) : undefined;
	const started = performance.now();
	const result = await withBootLock(ctx, () =>
		withWorkDir(ctx, async (workDir) => {
			const layout = (await readInstallConf(ctx)).conf.layout;
			const artifacts = await buildBootImages(ctx, kv, workDir, { image: options.image, efiKernel: firmwareStartsKernel(layout), inventory, ...(layout === 'uki' ? { uki: true } : { uki }) });
			const check = await verifyBeforeInstall(ctx, kv, artifacts, { skip: options.skipVerify });
			const verification = check ? { verification: check.result } : {};
			if (keepInstalledImage(ctx, kv, check, initrdOnly)) {
				ctx.logger.warn(keptMessage(kv, check!));
				return { kv, status: 'kept' as const, uki: artifacts.uki, files: [], ...verification };
			}
			const installed = await installWith(ctx, backend, kv, { ...artifacts, initrdOnly });
			settleVerification(ctx, kv, check, installed.files);
			const ukiImage = artifacts.uki ? installed.files.find((f) => /\/(vmlinuz-[^/]+|linux|[^/]+\.efi)$/.test(f)) : undefined;
			// A kernel that failed verification gets no boot loader update of its own: the previous one stays the default.
			if (check?.result !== 'failed') await updateBootloaders(ctx, { action: 'install', kv, ukiImage, layout });
			if (!initrdOnly && check?.result !== 'failed') await refreshRescueQuietly(ctx, kv, workDir);
			return { kv, status: 'installed' as const, backend: installed.backend, uki: artifacts.uki, files: installed.files, ...verification };
		}),
	);
	if (!ctx.dryRun) await initramfsDone(ctx, kv);
	if (result.status === 'kept') return result;
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	const what = result.uki ? 'unified kernel image' : 'kernel and initramfs';
	if (ctx.dryRun) ctx.logger.info(`(dry run) ${what} for ${kv} would be installed with ${result.backend}; nothing was changed`);
	else ctx.logger.log(`${what} for ${kv} installed with ${result.backend} in ${seconds} s: ${result.files.join(' ')}`);
	return result;
}

/** The kernel is installed: a rescue image that cannot be refreshed is a warning with the cause, not a failure. */
async function refreshRescueQuietly(ctx: RuntimeContext, kv: string, workDir: string): Promise<void> {
	try {
		await refreshRescueImage(ctx, kv, workDir);
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		ctx.logger.warn(`the rescue image was not refreshed: ${error.message}${error.hint ? `\n${error.hint}` : ''}`);
	}
}

export function installKernel(ctx: RuntimeContext, kv: string, options: InstallOptions = {}): Promise<InstallResult> {
	return pipeline(ctx, kv, options, false, 'kernel');
}

/** `dist-kernel initramfs KV`: a new initramfs (or UKI) for an installed kernel. */
export function regenerateInitramfs(ctx: RuntimeContext, kv: string, options: InstallOptions & { reason?: 'module' | 'manual' } = {}): Promise<InstallResult> {
	return pipeline(ctx, kv, options, true, options.reason ?? (options.package ? 'module' : 'manual'));
}

function isKernelAsker(ctx: RuntimeContext, cpv: string): boolean {
	try {
		return ctx.config.kernelPackages.includes(parseCpv(cpv).key);
	} catch {
		return false;
	}
}

/** Runs work the coalescing logic deferred, through the ordinary pipeline (so the image is what a direct run builds). */
export async function completeDeferred(ctx: RuntimeContext, work: PendingWork): Promise<void> {
	const asker = work.requestedBy.find((p) => isKernelAsker(ctx, p));
	ctx.logger.log(`Completing the deferred ${work.kind === 'install' ? 'installation' : 'initramfs'} of ${work.kv} (asked by ${work.requestedBy.join(', ') || 'an earlier run'})`);
	// the packages it waited for may have merged without their pkg_postinst (depmod)
	if (!ctx.dryRun) await refreshModuleIndex(ctx, work.kv);
	// `force` skips planInitramfs; the pipeline's own initramfsDone removes the record once /boot is updated.
	if (work.kind === 'install') await installKernel(ctx, work.kv, { force: true, ...(asker ? { package: asker } : {}) });
	else await regenerateInitramfs(ctx, work.kv, { force: true, reason: 'module' });
}

/** Deferrals of this emerge nobody is left to ask for (see staleDeferrals): completed now, each once. */
async function completeStale(ctx: RuntimeContext, kv: string): Promise<void> {
	for (const work of staleDeferrals(ctx, kv)) await completeDeferred(ctx, work);
}

/**
 * No image is built for a kernel that lacks a module the root file system needs. A rebuild a pkg_postinst asked
 * for (firmware, microcode, a module package for another kernel) keeps the current, bootable image and warns
 * (false); an installation or a rebuild asked by hand fails with `initramfs.root-module-missing`.
 */
async function rootModulesPresent(ctx: RuntimeContext, kv: string, initrdOnly: boolean, reason: 'kernel' | 'module' | 'manual', inventory: ModuleInventory): Promise<boolean> {
	const missing = missingRootModules(ctx.root, kv, await rootCriticalModules(ctx, inventory, kv));
	if (missing.length === 0) return true;
	const error = rootModuleError(kv, missing);
	if (!initrdOnly || reason !== 'module' || installedImageForm(ctx, kv) === undefined) throw error;
	ctx.logger.warn(`${error.message}; keeping its current image. ${error.hint ?? ''}`.trim());
	if (!ctx.dryRun) await initramfsDone(ctx, kv);
	return false;
}
