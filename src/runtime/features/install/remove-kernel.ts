// `dist-kernel remove KV`: the backend removes the kernel's boot files (as one transaction), then opt-in boot
// loader updates. The kernel package's own files are Portage's business, except /lib/modules/KV, which Portage
// never removes (remove-module-dir.ts): when the kernel package itself asks (`--package`), that goes too.
import { DistKernelError } from '../../../lib/errors';
import { assertKernelVersion } from '../../../lib/validate';
import { selectBackend } from '../../boot/backends/select';
import { runningKernel } from '../../boot/files/running-kernel';
import { updateBootloaders } from '../../boot/loaders/update';
import { readInstallConf } from '../../boot/settings/read-install-conf';
import { withBootLock } from '../../boot/transaction/boot-lock';
import type { RuntimeContext } from '../../context';
import { removeModuleDirOfPackage } from './remove-module-dir';

export interface RemoveOptions {
	package?: string | undefined;
	/** Also remove the running kernel's boot files (the admin asked explicitly). */
	force?: boolean | undefined;
}

export interface RemoveResult {
	kv: string;
	backend: string;
	files: string[];
	/** /lib/modules/KV when it was removed with the kernel package. */
	moduleDir?: string;
}

export async function removeKernel(
	ctx: RuntimeContext,
	kv: string,
	options: RemoveOptions = {},
): Promise<RemoveResult> {
	assertKernelVersion(kv);
	// The running kernel's files are what the next reboot falls back to if the new kernel fails: ask first.
	if (!options.force && runningKernel(ctx).kv === kv) {
		throw new DistKernelError('remove.running', `refusing to remove the boot files of the running kernel: ${kv}`, {
			hint: `reboot into another kernel first, or run \`dist-kernel remove --force ${kv}\``,
		});
	}
	return withBootLock(ctx, async () => {
		const backend = await selectBackend(ctx);
		const end = ctx.logger.begin(`Removing kernel ${kv} from the boot files (${backend.name})`);
		let files: string[];
		try {
			files = await backend.remove(kv);
			end(true);
		} catch (error) {
			end(false);
			throw error;
		}
		await updateBootloaders(ctx, { action: 'remove', kv, layout: (await readInstallConf(ctx)).conf.layout });
		if (files.length === 0) ctx.logger.info(`no boot files of kernel ${kv} were installed`);
		else if (!ctx.dryRun) ctx.logger.log(`boot files of kernel ${kv} removed: ${files.join(' ')}`);
		const moduleDir = options.package ? removeModuleDirOfPackage(ctx, kv, options.package) : undefined;
		return { kv, backend: backend.name, files, ...(moduleDir ? { moduleDir } : {}) };
	});
}
