// The boot image set for one kernel: plain initramfs, or a UKI (dracut --uefi, signed when configured) with an
// empty initramfs beside it. Every precondition (stub, keys, kernel files) is checked before dracut runs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeContext } from '../context';
import type { KernelArtifacts } from '../backends/types';
import { readDracutConfig, type DracutConfig } from '../dracut/config';
import { runDracut } from '../dracut/build';
import { findEfiStub } from '../uki/find-stub';
import { readKernelCmdline } from '../uki/kernel-cmdline';
import { resolveSigningKeys, signImage } from '../uki/sign';
import { findKernelFiles } from './kernel-files';

export interface BuildOptions {
	image?: string | undefined;
	/** Force a UKI or a plain initramfs; default from config `uki` and dracut's `uefi`. */
	uki?: boolean | undefined;
}

export function wantsUki(ctx: Pick<RuntimeContext, 'config'>, dracut: DracutConfig): boolean {
	if (ctx.config.uki === 'yes') return true;
	if (ctx.config.uki === 'no') return false;
	return dracut.uefi;
}

export async function buildBootImages(ctx: RuntimeContext, kv: string, workDir: string, options: BuildOptions = {}): Promise<KernelArtifacts> {
	const kernel = findKernelFiles(ctx, kv, options.image);
	const dracut = await readDracutConfig(ctx);
	const uki = options.uki ?? wantsUki(ctx, dracut);
	if (!uki) {
		const end = ctx.logger.begin(`Building initramfs for ${kv} with dracut`);
		try {
			const initrd = await runDracut(ctx, { kv, modulesDir: kernel.modulesDir, workDir });
			end(true);
			return { kv, image: kernel.image, initrd, systemMap: kernel.systemMap, config: kernel.config, uki: false };
		} catch (error) {
			end(false);
			throw error;
		}
	}
	const stub = findEfiStub(ctx, { configured: dracut.uefiStub });
	const keys = resolveSigningKeys(ctx, dracut);
	const cmdline = readKernelCmdline(ctx, dracut.kernelCmdline);
	if (!cmdline) ctx.logger.warn(`no kernel command line for the UKI of ${kv}: create /etc/kernel/cmdline (e.g. root=UUID=…)`);
	else ctx.logger.debug(`UKI command line from ${cmdline.source}: ${cmdline.value}`);
	const end = ctx.logger.begin(`Building unified kernel image for ${kv} with dracut`);
	let built: string;
	try {
		// dracut embeds its own kernel_cmdline by itself; /etc/kernel/cmdline (kernel-install's source) replaces it.
		const fromFile = cmdline && cmdline.source !== 'dracut kernel_cmdline' ? cmdline.value : undefined;
		built = await runDracut(ctx, { kv, modulesDir: kernel.modulesDir, workDir, uki: { stub, kernelImage: kernel.image, cmdline: fromFile } });
		end(true);
	} catch (error) {
		end(false);
		throw error;
	}
	let image = built;
	if (keys) {
		const endSign = ctx.logger.begin(`Signing the unified kernel image for ${kv} (sbsign)`);
		image = join(workDir, 'uki.signed.efi');
		try {
			await signImage(ctx, keys, built, image);
			endSign(true);
		} catch (error) {
			endSign(false);
			throw error;
		}
	}
	// The UKI carries its initramfs; an empty one stops other generators and boot loaders from adding another.
	const initrd = join(workDir, 'empty-initramfs.img');
	writeFileSync(initrd, '', { mode: 0o644 });
	return { kv, image, initrd, systemMap: kernel.systemMap, config: kernel.config, uki: true };
}
