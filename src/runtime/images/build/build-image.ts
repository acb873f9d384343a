// The boot image set for one kernel: plain initramfs, or a UKI (dracut --uefi, signed when configured) with an
// empty initramfs beside it. Every precondition (stub, keys, kernel files) is checked before dracut runs.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { systemView } from '../../../lib/root';
import type { KernelArtifacts } from '../../boot/files/types';
import { readKernelCmdline } from '../../boot/settings/kernel-cmdline';
import type { RuntimeContext } from '../../context';
import { runDracut } from '../dracut/build';
import { assertNotBakingHostCmdline } from '../dracut/chroot-guard';
import { type DracutConfig, readDracutConfig } from '../dracut/config';
import { assertCanSign, signForFirmware } from '../secureboot/firmware-image';
import { discoverSigningKey } from '../secureboot/signing-key';
import { findEfiStub } from '../uki/find-stub';
import { findKernelFiles } from './kernel-files';

export interface BuildOptions {
	image?: string | undefined;
	/** Force a UKI or a plain initramfs; default from config `uki` and dracut's `uefi`. */
	uki?: boolean | undefined;
	/** A generic (non-hostonly) image: the rescue image. */
	generic?: boolean | undefined;
	/** The firmware starts the kernel image itself (layout efistub, uki, bls): it is signed like a UKI. */
	efiKernel?: boolean | undefined;
	/**
	 * Installed packages with USE=initramfs whose modules are for this kernel (the caller asks Portage's VDB): a
	 * prebuilt image was made with the kernel package, before any of them, so dracut builds the image instead.
	 */
	modulePackages: () => readonly string[];
}

export function wantsUki(ctx: Pick<RuntimeContext, 'config'>, dracut: DracutConfig): boolean {
	if (ctx.config.uki === 'yes') return true;
	if (ctx.config.uki === 'no') return false;
	return dracut.uefi;
}

/** installkernel's 10-copy-prebuilt: an `initrd` or `uki.efi` shipped beside the image (gentoo-kernel-bin[generic-uki]). */
export function findPrebuilt(ctx: Pick<RuntimeContext, 'config'>, image: string, uki: boolean): string | undefined {
	if (!ctx.config.usePrebuilt) return undefined;
	const path = join(dirname(image), uki ? 'uki.efi' : 'initrd');
	try {
		const st = statSync(path);
		return st.isFile() && st.size > 0 ? path : undefined;
	} catch {
		return undefined;
	}
}

function emptyInitrd(workDir: string): string {
	// The UKI carries its initramfs; an empty one stops other generators and boot loaders from adding another.
	const initrd = join(workDir, 'empty-initramfs.img');
	if (existsSync(initrd)) return initrd;
	writeFileSync(initrd, '', { mode: 0o644 });
	return initrd;
}

/**
 * The images for `kv`, with what the firmware starts (a UKI, an EFI-stub kernel) signed by the discovered key and,
 * under Secure Boot, checked against its certificate: all before anything is installed.
 */
export async function buildBootImages(
	ctx: RuntimeContext,
	kv: string,
	workDir: string,
	options: BuildOptions,
): Promise<KernelArtifacts> {
	const dracut = await readDracutConfig(ctx);
	const uki = options.uki ?? wantsUki(ctx, dracut);
	const firmwareRuns = uki || options.efiKernel === true;
	const key = firmwareRuns ? discoverSigningKey(ctx, dracut) : undefined;
	const rescue = options.generic ? 'rescue ' : '';
	if (firmwareRuns)
		assertCanSign(ctx, key, `the ${rescue}${uki ? 'unified kernel image' : 'EFI-stub kernel'} for ${kv}`);
	const artifacts = await buildImages(ctx, kv, workDir, dracut, uki, options);
	if (!firmwareRuns) return artifacts;
	const what = `${rescue}${artifacts.uki ? 'unified kernel image' : 'kernel image'} for ${kv}`;
	const name = `${options.generic ? 'rescue-' : ''}${artifacts.uki ? 'uki' : 'vmlinuz'}.signed.efi`;
	const signed = await signForFirmware(ctx, key, { image: artifacts.image, workDir, name, what });
	return { ...artifacts, image: signed.image, ...(key ? { signedWith: key } : {}) };
}

async function buildImages(
	ctx: RuntimeContext,
	kv: string,
	workDir: string,
	dracut: DracutConfig,
	uki: boolean,
	options: BuildOptions,
): Promise<KernelArtifacts> {
	const kernel = findKernelFiles(ctx, kv, { image: options.image });
	// A shipped generic initrd (gentoo-kernel-bin) is also a fine rescue image.
	let prebuilt = findPrebuilt(ctx, kernel.image, uki);
	const needIt = prebuilt && !options.generic ? options.modulePackages() : [];
	if (prebuilt && needIt.length > 0) {
		ctx.logger.info(
			`not using the prebuilt ${uki ? 'unified kernel image' : 'initramfs'} shipped with kernel ${kv}: it lacks the modules of ${needIt.join(', ')} (USE=initramfs); building one here`,
		);
		prebuilt = undefined;
	}
	if (prebuilt) {
		ctx.logger.info(
			`using the prebuilt ${uki ? 'unified kernel image' : 'initramfs'} shipped with kernel ${kv}: ${systemView(ctx.root, prebuilt)} (use-prebuilt = no builds one here)`,
		);
		return uki
			? {
					kv,
					image: prebuilt,
					initrd: emptyInitrd(workDir),
					systemMap: kernel.systemMap,
					config: kernel.config,
					uki: true,
					prebuilt: true,
				}
			: {
					kv,
					image: kernel.image,
					initrd: prebuilt,
					systemMap: kernel.systemMap,
					config: kernel.config,
					uki: false,
					prebuilt: true,
				};
	}
	// A generic image carries no host-only command line: nothing of the build host can be baked in.
	if (!options.generic) assertNotBakingHostCmdline(ctx, dracut, uki);
	const generic = options.generic ? { generic: true } : {};
	if (!uki) {
		const end = ctx.logger.begin(`Building ${options.generic ? 'generic rescue ' : ''}initramfs for ${kv} with dracut`);
		try {
			const initrd = await runDracut(ctx, { kv, modulesDir: kernel.modulesDir, workDir, ...generic });
			end(true);
			return { kv, image: kernel.image, initrd, systemMap: kernel.systemMap, config: kernel.config, uki: false };
		} catch (error) {
			end(false);
			throw error;
		}
	}
	const stub = findEfiStub(ctx, { configured: dracut.uefiStub });
	const cmdline = readKernelCmdline(ctx, dracut.kernelCmdline);
	if (!cmdline)
		ctx.logger.warn(`no kernel command line for the UKI of ${kv}: create /etc/kernel/cmdline (e.g. root=UUID=…)`);
	else ctx.logger.debug(`UKI command line from ${cmdline.source}: ${cmdline.value}`);
	const end = ctx.logger.begin(
		`Building ${options.generic ? 'rescue ' : ''}unified kernel image for ${kv} with dracut`,
	);
	let built: string;
	try {
		// dracut embeds its own kernel_cmdline by itself; /etc/kernel/cmdline (kernel-install's source) replaces it.
		const fromFile = cmdline && cmdline.source !== 'dracut kernel_cmdline' ? cmdline.value : undefined;
		built = await runDracut(ctx, {
			kv,
			modulesDir: kernel.modulesDir,
			workDir,
			uki: { stub, kernelImage: kernel.image, cmdline: fromFile },
			...generic,
		});
		end(true);
	} catch (error) {
		end(false);
		throw error;
	}
	return {
		kv,
		image: built,
		initrd: emptyInitrd(workDir),
		systemMap: kernel.systemMap,
		config: kernel.config,
		uki: true,
	};
}
