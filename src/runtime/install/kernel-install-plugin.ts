// Our kernel-install(8) plugin (50-dist-kernel.install execs `dist-kernel plugin dist-kernel add KV ENTRY_DIR
// IMAGE [INITRD…]`): when kernel-install is run by someone else (the admin, Gentoo's installkernel), it is the
// initrd generator — it writes $KERNEL_INSTALL_STAGING_AREA/initrd, or uki.efi for layout=uki — so the kernel
// gets the same dracut setup as our own pipeline. When our pipeline runs kernel-install, or an initrd was passed,
// or another generator is configured, it does nothing.
import { copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError, usageError } from '../../lib/errors';
import { assertKernelVersion, assertSafePath, printable } from '../../lib/validate';
import type { RuntimeContext } from '../context';
import { PIPELINE_ENV } from '../backends/pipeline-env';
import { buildBootImages } from './build-image';
import { withBootLock } from './lock';
import { withWorkDir } from './work-dir';

export const PLUGIN_NAME = 'dist-kernel';

export interface PluginInvocation {
	name: string;
	command: string;
	kv: string;
	entryDir: string;
	image?: string | undefined;
	initrds: string[];
}

export type PluginOutcome = { exitCode: number; action: string };

export async function runKernelInstallPlugin(ctx: RuntimeContext, inv: PluginInvocation): Promise<PluginOutcome> {
	if (inv.name !== PLUGIN_NAME) throw usageError('plugin.unknown', `Expected the plugin name to be \`${PLUGIN_NAME}\`, got \`${printable(inv.name)}\``);
	assertKernelVersion(inv.kv);
	assertSafePath(inv.entryDir, 'ENTRY_DIR');
	if (inv.command === 'remove') {
		// kernel-install removes ENTRY_DIR itself; nothing we generate lives anywhere else.
		return { exitCode: 0, action: 'nothing to remove' };
	}
	if (inv.command !== 'add') throw usageError('plugin.command', `Expected the plugin command to be add or remove, got \`${printable(inv.command)}\``);
	if (!inv.image) throw usageError('plugin.args', 'Expected `add KV ENTRY_DIR IMAGE [INITRD…]`, got no IMAGE');
	assertSafePath(inv.image, 'IMAGE');
	for (const initrd of inv.initrds) assertSafePath(initrd, 'INITRD');

	const env = ctx.env;
	if (env[PIPELINE_ENV] === '1') return { exitCode: 0, action: 'dist-kernel pipeline already built the initramfs' };
	if (inv.initrds.length > 0) return { exitCode: 0, action: 'an initrd was given' };
	const generator = env['KERNEL_INSTALL_INITRD_GENERATOR'];
	if (generator && generator !== PLUGIN_NAME) return { exitCode: 0, action: `initrd_generator=${generator} is configured` };
	if (env['KERNEL_INSTALL_IMAGE_TYPE'] === 'uki') return { exitCode: 0, action: 'the image is already a UKI' };
	const staging = env['KERNEL_INSTALL_STAGING_AREA'];
	if (!staging) throw new DistKernelError('plugin.env', 'kernel-install plugin run without KERNEL_INSTALL_STAGING_AREA', { hint: 'run it through kernel-install(8)' });
	assertSafePath(staging, 'KERNEL_INSTALL_STAGING_AREA');
	const ukiGenerator = env['KERNEL_INSTALL_UKI_GENERATOR'];
	const uki = env['KERNEL_INSTALL_LAYOUT'] === 'uki' && (!ukiGenerator || ukiGenerator === PLUGIN_NAME || ukiGenerator === 'dracut');

	return withBootLock(ctx, () =>
		withWorkDir(ctx, async (workDir) => {
			const artifacts = await buildBootImages(ctx, inv.kv, workDir, { uki, ...imageOption(ctx, inv.image!) });
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
