// `dist-kernel remove KV`: the backend removes the kernel's boot files (as one transaction), then opt-in boot
// loader updates. The kernel package's own files (/lib/modules, /usr/src) are Portage's business.
import { assertKernelVersion } from '../../lib/validate';
import type { RuntimeContext } from '../context';
import { selectBackend } from '../backends/select';
import { updateBootloaders } from '../bootloaders/update';
import { withBootLock } from './lock';

export interface RemoveOptions {
	package?: string | undefined;
}

export interface RemoveResult {
	kv: string;
	backend: string;
	files: string[];
}

export async function removeKernel(ctx: RuntimeContext, kv: string, _options: RemoveOptions = {}): Promise<RemoveResult> {
	assertKernelVersion(kv);
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
		await updateBootloaders(ctx, { action: 'remove', kv });
		if (files.length === 0) ctx.logger.info(`no boot files of kernel ${kv} were installed`);
		else if (!ctx.dryRun) ctx.logger.log(`boot files of kernel ${kv} removed: ${files.join(' ')}`);
		return { kv, backend: backend.name, files };
	});
}
