// Our kernel-install(8) plugin (50-dist-kernel.install execs `dist-kernel plugin dist-kernel add KV ENTRY_DIR
// IMAGE [INITRD…]`): when kernel-install is run by someone else (the admin, Gentoo's installkernel), it is the
// initrd generator — it writes $KERNEL_INSTALL_STAGING_AREA/initrd, or uki.efi for layout=uki — so the kernel
// gets the same dracut setup as our own pipeline. When our pipeline runs kernel-install, or an initrd was passed,
// or another generator is configured, it does nothing.
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import { assertSafePath } from '../../../lib/validate';
import { withBootLock } from '../../boot/transaction/boot-lock';
import type { RuntimeContext } from '../../context';
import { buildBootImages } from '../../images/build/build-image';
import { withWorkDir } from '../../images/build/work-dir';
import { initramfsModulePackages } from '../../portage/vdb/initramfs-module-packages';
import { decidePluginNoOp, PLUGIN_NAME, type PluginInvocation, type PluginOutcome } from './plugin-decision';

export async function runKernelInstallPlugin(ctx: RuntimeContext, inv: PluginInvocation): Promise<PluginOutcome> {
	const noOp = decidePluginNoOp(inv, ctx.env);
	if (noOp) return noOp;

	const env = ctx.env;
	const staging = env['KERNEL_INSTALL_STAGING_AREA'];
	if (!staging)
		throw new DistKernelError('plugin.env', 'kernel-install plugin run without KERNEL_INSTALL_STAGING_AREA', {
			hint: 'run it through kernel-install(8)',
		});
	assertSafePath(staging, 'KERNEL_INSTALL_STAGING_AREA');
	const ukiGenerator = env['KERNEL_INSTALL_UKI_GENERATOR'];
	const uki =
		env['KERNEL_INSTALL_LAYOUT'] === 'uki' &&
		(!ukiGenerator || ukiGenerator === PLUGIN_NAME || ukiGenerator === 'dracut');

	return withBootLock(ctx, () =>
		withWorkDir(ctx, async (workDir) => {
			const artifacts = await buildBootImages(ctx, inv.kv, workDir, {
				uki,
				modulePackages: () => initramfsModulePackages(ctx, inv.kv),
				...imageOption(ctx, inv.image!),
			});
			const target = join(staging, uki ? 'uki.efi' : 'initrd');
			if (!ctx.dryRun) {
				copyFileSync(uki ? artifacts.image : artifacts.initrd!, target);
				chmodSync(target, 0o644);
			} else {
				ctx.logger.info(`(dry run) would write ${target}`);
			}
			return { exitCode: 0, action: `wrote ${target}` };
		}),
	);
}

/** kernel-install passes a host path: under --root it becomes a system path when inside the root, else the default lookup. */
function imageOption(ctx: RuntimeContext, image: string): { image?: string } {
	const root = ctx.root.endsWith('/') ? ctx.root : `${ctx.root}/`;
	if (ctx.root === '/') return { image };
	if (image.startsWith(root)) return { image: `/${image.slice(root.length)}` };
	return {};
}
