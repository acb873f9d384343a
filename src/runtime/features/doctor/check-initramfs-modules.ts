// An initramfs (or a UKI's .initrd) lacks modules that its kernel's MODULES_INITRAMFS_IUSE packages installed:
// with ZFS or bcachefs on root that kernel would not boot. The images are read here, not with lsinitrd.
import { isDistKernelError } from '../../../lib/errors';
import type { Exec } from '../../../lib/exec';
import { kernelImages } from '../../images/initramfs-reader/kernel-images';
import { type InitramfsListing, modulesInListing } from '../../images/initramfs-reader/read-initramfs';
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

function moduleName(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1).replace(/\.(?:gz|xz|zst)$/, '');
}

export async function checkInitramfsModules(exec: Exec, root: string, report: StatusReport): Promise<Finding[]> {
	const findings: Finding[] = [];
	for (const kernel of report.kernels) {
		const wanted = report.modules.filter((m) => m.initramfs && m.builtFor === kernel.kv && m.modules.length > 0);
		if (wanted.length === 0 || kernel.pending === 'install') continue;
		for (const image of kernelImages(exec, root, kernel.kv)) {
			let listing: InitramfsListing;
			try {
				listing = await image.read();
			} catch (error) {
				if (!isDistKernelError(error)) throw error;
				findings.push({
					id: 'initramfs.unreadable',
					level: 'warning',
					subject: image.path,
					message: `cannot check ${image.path}: ${error.message}`,
					fix: `dist-kernel initramfs ${kernel.kv}`,
				});
				continue;
			}
			const present = modulesInListing(listing, kernel.kv);
			for (const mod of wanted) {
				const missing = mod.modules.map(moduleName).filter((name) => !present.has(name));
				if (missing.length === 0) continue;
				findings.push({
					id: 'initramfs.missing-modules',
					level: 'error',
					subject: image.path,
					message: `${image.path} lacks ${missing.join(', ')} from ${mod.cpv} (USE=initramfs)`,
					fix: `dist-kernel initramfs ${kernel.kv}`,
				});
			}
		}
	}
	return findings;
}
