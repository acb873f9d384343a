// An initramfs (or a UKI's .initrd) lacks modules that its kernel's MODULES_INITRAMFS_IUSE packages installed:
// with ZFS or bcachefs on root that kernel would not boot. The images are read here, not with lsinitrd.
import { readFileSync } from 'node:fs';
import { isDistKernelError } from '../../lib/errors';
import type { Exec } from '../../lib/exec';
import { findSection } from '../../parsers/pe-sections';
import { listInitramfs, listInitramfsBuffer, modulesInListing, type InitramfsListing } from '../initramfs-reader/read-initramfs';
import { findBootFiles } from '../status/boot-files';
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
		const files = findBootFiles(root, kernel.kv);
		const images: Array<{ path: string; read: () => Promise<InitramfsListing> }> = [
			// Beside a UKI, an empty initramfs is the placeholder dist-kernel installs on purpose: nothing to read.
			...files.initrds.filter((f) => f.size > 0 || files.ukis.length === 0).map((f) => ({ path: f.path, read: () => listInitramfs(exec, f.fullPath) })),
			...files.ukis.map((f) => ({
				path: f.path,
				read: async () => {
					const initrd = findSection(readFileSync(f.fullPath), '.initrd');
					return listInitramfsBuffer(exec, initrd ?? Buffer.alloc(0));
				},
			})),
		];
		for (const image of images) {
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
