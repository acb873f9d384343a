// Pre-flight: every target filesystem must hold the new files while the previous ones are kept as backups.
// Checked with statfs before the first write, so a full /boot or ESP fails with nothing changed.
import { statfsSync, statSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';

export interface SpaceNeed {
	/** A directory on the target filesystem (disk path). */
	dir: string;
	bytes: number;
	/** Shown in the message (the system path, e.g. /boot). */
	shown: string;
}

/** Slack per file for temp names, directory blocks and filesystem metadata. */
const PER_FILE_SLACK = 64 * 1024;

function mib(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function checkSpace(needs: readonly SpaceNeed[]): void {
	const byDevice = new Map<number, { dir: string; shown: string; bytes: number }>();
	for (const need of needs) {
		const dev = statSync(need.dir).dev;
		const entry = byDevice.get(dev) ?? { dir: need.dir, shown: need.shown, bytes: 0 };
		entry.bytes += need.bytes + PER_FILE_SLACK;
		byDevice.set(dev, entry);
	}
	for (const { dir, shown, bytes } of byDevice.values()) {
		const fs = statfsSync(dir);
		const free = fs.bavail * fs.bsize;
		if (free < bytes) {
			throw new DistKernelError(
				'boot.space',
				`not enough free space on ${shown}: need ${mib(bytes)}, ${mib(free)} available`,
				{
					hint: `remove old kernels (\`dist-kernel clean\`) or enlarge ${shown}, then run again; nothing was written`,
				},
			);
		}
	}
}
