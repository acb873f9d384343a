// Before deferred work is completed: the kernel's module index, rebuilt. A package that was to ask for the image
// may have merged its modules without running its pkg_postinst (the emerge was killed in between), and that
// pkg_postinst is where linux-mod-r1 runs depmod; dracut finds modules through modules.dep, so without this a merged
// initramfs module would be left out of the image without a word (seen with real Portage, test/portage).
import { existsSync } from 'node:fs';
import { timed } from '../../../lib/timing';
import { assertKernelVersion } from '../../../lib/validate';
import { isLiveRoot, type RuntimeContext, systemPath } from '../../context';

export function refreshModuleIndex(ctx: RuntimeContext, kv: string): Promise<void> {
	return timed('depmod', () => refreshModuleIndexNow(ctx, kv));
}

async function refreshModuleIndexNow(ctx: RuntimeContext, kv: string): Promise<void> {
	assertKernelVersion(kv);
	if (!existsSync(systemPath(ctx, `/lib/modules/${kv}`))) return;
	const result = await ctx.exec('depmod', isLiveRoot(ctx) ? [kv] : ['--basedir', ctx.root, kv], {
		mutates: true,
		allowFailure: true,
	});
	if (result.exitCode !== 0) {
		ctx.logger.warn(
			`depmod ${kv} failed (exit status ${result.exitCode}): modules merged since the last depmod may be missing from the image. ${result.stderr.trim()}`.trim(),
		);
	}
}
