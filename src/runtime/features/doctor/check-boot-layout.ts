// The boot layout the next kernel install will use (install.conf's `layout`, through the active backend): a
// layout that cannot be honoured — unknown, no ESP for uki/efistub, no kernel-install plugin for it, no command
// line for a BLS entry in a chroot — is found now rather than in the middle of the next emerge. Also a rescue
// image whose files are gone.
import { isDistKernelError } from '../../../lib/errors';
import { selectBackend } from '../../boot/backends/select';
import type { RuntimeContext } from '../../context';
import { newestKernel } from '../../images/rescue/refresh-rescue';
import { readRescueState, rescueFilesPresent } from '../../state/rescue-record';
import type { Finding } from './finding';

export async function checkBootLayout(ctx: RuntimeContext): Promise<Finding[]> {
	const findings: Finding[] = [];
	try {
		const backend = await selectBackend(ctx);
		await backend.check?.(newestKernel(ctx) ?? '0');
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		findings.push({
			id: error.code,
			level: 'error',
			subject: 'boot layout',
			message: `the next kernel install will fail: ${error.message}`,
			fix: error.hint ?? 'fix /etc/kernel/install.conf',
		});
	}
	const rescue = readRescueState(ctx);
	if (ctx.config.rescueImage && rescue && !rescueFilesPresent(ctx, rescue)) {
		findings.push({
			id: 'rescue.incomplete',
			level: 'warning',
			subject: 'rescue image',
			message: `files of the rescue image (built from ${rescue.kv}) are missing: ${rescue.files.join(' ')}`,
			fix: `run dist-kernel install ${rescue.kv} (the newest kernel) to rebuild it`,
		});
	}
	return findings;
}
