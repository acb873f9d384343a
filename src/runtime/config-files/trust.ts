// Admin configuration here is bash that we (as root) let bash source, so a file or directory any non-root user
// can write is a privilege escalation: refuse it, naming the file and its mode.
import { lstatSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DistKernelError } from '../../lib/errors';

function describeMode(stats: Stats): string {
	return `0${(stats.mode & 0o7777).toString(8)}`;
}

/** Group-writable is fine when the group is root (gid 0), as for /etc on most systems. */
function untrustedReason(stats: Stats): string | undefined {
	if (stats.uid !== 0 && stats.uid !== process.getuid?.()) return `owned by uid ${stats.uid}`;
	if (stats.mode & 0o002 && !(stats.isDirectory() && stats.mode & 0o1000))
		return `writable by every user (mode ${describeMode(stats)})`;
	if (stats.mode & 0o020 && stats.gid !== 0) return `writable by group ${stats.gid} (mode ${describeMode(stats)})`;
	return undefined;
}

/**
 * Refuses `path` when it (following symlinks) or its directory is writable by a non-root user.
 * Missing files are fine: callers only source files that exist.
 */
export function assertTrusted(path: string, shown: string = path): void {
	let stats: Stats;
	try {
		lstatSync(path);
		stats = statSync(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw new DistKernelError('trust.stat', `cannot check configuration file: ${shown}`, { cause: error });
	}
	const reason = untrustedReason(stats);
	if (reason) {
		throw new DistKernelError(
			'trust.unsafe',
			`refusing configuration not protected from other users: ${shown} is ${reason}`,
			{
				exitCode: 2,
				hint: `run \`chmod go-w ${shown}\` (and \`chown root\` it) after checking its content`,
			},
		);
	}
	const parent = dirname(path);
	if (parent !== path) {
		const parentStats = statSync(parent);
		const parentReason = untrustedReason(parentStats);
		if (parentReason) {
			throw new DistKernelError(
				'trust.unsafe',
				`refusing configuration in a directory not protected from other users: ${dirname(shown)} is ${parentReason}`,
				{
					exitCode: 2,
					hint: `run \`chmod go-w ${dirname(shown)}\` after checking its content`,
				},
			);
		}
	}
}
