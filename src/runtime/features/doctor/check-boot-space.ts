// /boot nearly full: the next kernel (image + initramfs, or UKI) must fit next to the current ones.
import { statfsSync } from 'node:fs';
import { underRoot } from '../../../lib/root';
import { findBootFiles } from '../../boot/files/boot-files';
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export const BOOT_USED_WARN = 0.9;

function mib(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function checkBootSpace(root: string, report: StatusReport): Finding[] {
	let stats: ReturnType<typeof statfsSync>;
	try {
		stats = statfsSync(underRoot(root, '/boot'));
	} catch {
		return [];
	}
	const total = stats.blocks * stats.bsize;
	const free = stats.bavail * stats.bsize;
	if (total === 0) return [];
	// The largest set of files one kernel occupies is what the next one will need.
	let needed = 0;
	for (const kernel of report.kernels) {
		const files = findBootFiles(root, kernel.kv);
		const size = [...files.kernels, ...files.initrds, ...files.ukis].reduce((sum, f) => sum + f.size, 0);
		needed = Math.max(needed, size);
	}
	const fix = 'dist-kernel clean   (removes old kernels beyond keep-kernels), or enlarge the partition';
	if (needed > 0 && free < needed) {
		return [
			{
				id: 'boot.space',
				level: 'error',
				subject: '/boot',
				message: `/boot has ${mib(free)} free, but one kernel needs ${mib(needed)}`,
				fix,
			},
		];
	}
	const used = 1 - free / total;
	if (used >= BOOT_USED_WARN) {
		return [
			{
				id: 'boot.space',
				level: 'warning',
				subject: '/boot',
				message: `/boot is ${Math.round(used * 100)}% full (${mib(free)} free)`,
				fix,
			},
		];
	}
	return [];
}
