// The install pipeline: everything from checking the request to the boot loader update, for one kernel. It does
// what it is told: whether to build now is decided before it starts (install-kernel.ts asks portage/coalesce).
// Everything that can fail without touching /boot (kernel files, dracut config, stub, keys, dracut itself, free
// space) is done first; /boot changes only through a transaction.
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { timed } from '../../../lib/timing';
import { assertKernelVersion, isCategoryAndPf, printable } from '../../../lib/validate';
import { parseCpv } from '../../../parsers/atom';
import { selectBackend } from '../../boot/backends/select';
import type { Backend, KernelArtifacts } from '../../boot/files/types';
import { updateBootloaders } from '../../boot/loaders/update';
import { readInstallConf } from '../../boot/settings/read-install-conf';
import { withBootLock } from '../../boot/transaction/boot-lock';
import type { RuntimeContext } from '../../context';
import { buildBootImages } from '../../images/build/build-image';
import { installedImageForm } from '../../images/build/image-form';
import { findKernelFiles } from '../../images/build/kernel-files';
import { withWorkDir } from '../../images/build/work-dir';
import { refreshRescueImage } from '../../images/rescue/refresh-rescue';
import { firmwareStartsKernel } from '../../images/secureboot/firmware-image';
import { missingRootModules, rootCriticalModules } from '../../portage/root-modules/root-critical';
import { rootModuleError } from '../../portage/root-modules/root-module-error';
import { initramfsModulePackages } from '../../portage/vdb/initramfs-module-packages';
import { type ModuleInventory, scanModules } from '../../portage/vdb/scan-modules';
import { clearPending, type PendingWork } from '../../state/pending';
import { refreshModuleIndex } from './refresh-module-index';
import { keepInstalledImage, keptMessage, settleVerification, verifyBeforeInstall } from './verify-step';

export interface InstallOptions {
	/** System path of the kernel image (default: /lib/modules/KV/vmlinuz, then /usr/src/linux-KV/…). */
	image?: string | undefined;
	/** CAT/PF of the package asking (for the coalescing logic and messages). */
	package?: string | undefined;
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
	if (!isCategoryAndPf(pkg)) {
		throw new DistKernelError(
			'input.package',
			`Expected --package to be CAT/PF such as sys-kernel/gentoo-kernel-6.6.30, got \`${printable(pkg)}\``,
			{ exitCode: 2 },
		);
	}
}

async function installWith(
	ctx: RuntimeContext,
	backend: Backend,
	kv: string,
	artifacts: KernelArtifacts,
): Promise<{ backend: string; files: string[] }> {
	const end = ctx.logger.begin(
		`Installing ${artifacts.uki ? 'unified kernel image' : 'kernel'} ${kv} (${backend.name})`,
	);
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
export function validateInstallRequest(
	ctx: Pick<RuntimeContext, 'root'>,
	kv: string,
	options: Pick<InstallOptions, 'image' | 'package'> = {},
): void {
	assertKernelVersion(kv);
	validatePackage(options.package);
	findKernelFiles(ctx, kv, { image: options.image });
}

/** The request's own checks and the boot layout's, before the lock, dracut or any write: nothing built or changed. */
export async function prepareInstall(
	ctx: RuntimeContext,
	kv: string,
	options: Pick<InstallOptions, 'image' | 'package'>,
): Promise<Backend> {
	validateInstallRequest(ctx, kv, options);
	const backend = await selectBackend(ctx);
	await backend.check?.(kv);
	return backend;
}

export type InstallReason = 'kernel' | 'module' | 'manual';

/**
 * The VDB scan of one call, read when first asked: the coalescing plan, the root-critical check and the prebuilt
 * check share it.
 */
export function inventoryOnce(ctx: RuntimeContext): () => ModuleInventory {
	let scanned: ModuleInventory | undefined;
	return () =>
		(scanned ??= scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages, writeCache: !ctx.dryRun }));
}

/** Builds and installs the image set of `kv` with `backend` (from prepareInstall); clears the kernel's pending work. */
export async function buildAndInstall(
	ctx: RuntimeContext,
	kv: string,
	backend: Backend,
	options: InstallOptions,
	initrdOnly: boolean,
	reason: InstallReason,
	inventory: () => ModuleInventory,
): Promise<InstallResult> {
	if (!(await timed('root-modules-check', () => rootModulesPresent(ctx, kv, initrdOnly, reason, inventory()))))
		return { kv, status: 'kept', files: [] };
	// A rebuild keeps the kernel's image form (UKI or initramfs); an installation follows the configuration.
	const uki = initrdOnly ? installedImageForm(ctx, kv) : undefined;
	const started = performance.now();
	const result = await withBootLock(ctx, () =>
		withWorkDir(ctx, async (workDir) => {
			const layout = (await readInstallConf(ctx)).conf.layout;
			const artifacts = await buildBootImages(ctx, kv, workDir, {
				image: options.image,
				efiKernel: firmwareStartsKernel(layout),
				modulePackages: () => initramfsModulePackages(ctx, kv, inventory),
				...(layout === 'uki' ? { uki: true } : { uki }),
			});
			const check = await verifyBeforeInstall(ctx, kv, artifacts, { skip: options.skipVerify });
			const verification = check ? { verification: check.result } : {};
			if (keepInstalledImage(ctx, kv, check, initrdOnly)) {
				ctx.logger.warn(keptMessage(kv, check!));
				return { kv, status: 'kept' as const, uki: artifacts.uki, files: [], ...verification };
			}
			const installed = await installWith(ctx, backend, kv, { ...artifacts, initrdOnly });
			settleVerification(ctx, kv, check, installed.files);
			const ukiImage = artifacts.uki
				? installed.files.find((f) => /\/(vmlinuz-[^/]+|linux|[^/]+\.efi)$/.test(f))
				: undefined;
			// A kernel that failed verification gets no boot loader update of its own: the previous one stays the default.
			if (check?.result !== 'failed') await updateBootloaders(ctx, { action: 'install', kv, ukiImage, layout });
			if (!initrdOnly && check?.result !== 'failed') await refreshRescueQuietly(ctx, kv, workDir);
			return {
				kv,
				status: 'installed' as const,
				backend: installed.backend,
				uki: artifacts.uki,
				files: installed.files,
				...verification,
			};
		}),
	);
	if (!ctx.dryRun) clearPending(ctx.root, kv);
	if (result.status === 'kept') return result;
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	const what = result.uki ? 'unified kernel image' : 'kernel and initramfs';
	if (ctx.dryRun)
		ctx.logger.info(`(dry run) ${what} for ${kv} would be installed with ${result.backend}; nothing was changed`);
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
	ctx.logger.log(
		`Completing the deferred ${work.kind === 'install' ? 'installation' : 'initramfs'} of ${work.kv} (asked by ${work.requestedBy.join(', ') || 'an earlier run'})`,
	);
	// the packages it waited for may have merged without their pkg_postinst (depmod)
	if (!ctx.dryRun) await refreshModuleIndex(ctx, work.kv);
	// buildAndInstall clears the record once /boot is updated.
	const options: InstallOptions = work.kind === 'install' && asker ? { package: asker } : {};
	const backend = await prepareInstall(ctx, work.kv, options);
	const inventory = inventoryOnce(ctx);
	if (work.kind === 'install') await buildAndInstall(ctx, work.kv, backend, options, false, 'kernel', inventory);
	else await buildAndInstall(ctx, work.kv, backend, options, true, 'module', inventory);
}

/**
 * No image is built for a kernel that lacks a module the root file system needs. A rebuild a pkg_postinst asked
 * for (firmware, microcode, a module package for another kernel) keeps the current, bootable image and warns
 * (false); an installation or a rebuild asked by hand fails with `initramfs.root-module-missing`.
 */
async function rootModulesPresent(
	ctx: RuntimeContext,
	kv: string,
	initrdOnly: boolean,
	reason: InstallReason,
	inventory: ModuleInventory,
): Promise<boolean> {
	const missing = missingRootModules(ctx.root, kv, await rootCriticalModules(ctx, inventory, kv));
	if (missing.length === 0) return true;
	const error = rootModuleError(kv, missing);
	if (!initrdOnly || reason !== 'module' || installedImageForm(ctx, kv) === undefined) throw error;
	ctx.logger.warn(`${error.message}; keeping its current image. ${error.hint ?? ''}`.trim());
	if (!ctx.dryRun) clearPending(ctx.root, kv);
	return false;
}
