// A kernel whose image lacks a module the root file system needs (see root-modules/root-critical.ts): it would
// stop in dracut's emergency shell. The images are read with our initramfs reader.
import { isDistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';
import { kernelImages } from '../../images/initramfs-reader/kernel-images';
import { modulesInListing } from '../../images/initramfs-reader/read-initramfs';
import { missingRootModules, rootCriticalModules } from '../../portage/root-modules/root-critical';
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export async function checkRootModules(
	ctx: Pick<RuntimeContext, 'root' | 'exec' | 'env' | 'logger'>,
	report: StatusReport,
): Promise<Finding[]> {
	const findings: Finding[] = [];
	for (const kernel of report.kernels) {
		if (kernel.pending === 'install') continue;
		const critical = await rootCriticalModules(ctx, report, kernel.kv);
		if (critical.length === 0) continue;
		const notBuilt = new Set(missingRootModules(ctx.root, kernel.kv, critical).map((m) => m.name));
		for (const image of kernelImages(ctx.exec, ctx.root, kernel.kv)) {
			let present: Set<string>;
			try {
				present = modulesInListing(await image.read(), kernel.kv);
			} catch (error) {
				if (!isDistKernelError(error)) throw error;
				continue; // check-initramfs-modules reports unreadable images
			}
			const missing = critical.filter((m) => !present.has(`${m.name}.ko`));
			if (missing.length === 0) continue;
			const rebuild = [...new Set(missing.filter((m) => notBuilt.has(m.name) && m.provider).map((m) => m.provider!))];
			findings.push({
				id: 'initramfs.root-module-missing',
				level: 'error',
				subject: image.path,
				message: `${image.path} lacks ${missing.map((m) => `${m.name} (${m.why})`).join(', ')}: kernel ${kernel.kv} would not mount the root file system`,
				fix:
					rebuild.length > 0
						? `emerge --oneshot ${rebuild.join(' ')} && dist-kernel initramfs ${kernel.kv}`
						: `dist-kernel initramfs ${kernel.kv}`,
			});
		}
	}
	return findings;
}
