// Which emerge process a deferral belongs to, so that pending work is completed by someone else only once that
// emerge is gone. The runtime runs below emerge (emerge → ebuild.sh → postinst → dist-kernel): walk the parent
// chain in /proc and remember the emerge's pid and start time (guarding against pid reuse).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProcessRef } from '../../state/pending';

function stat(pid: number): { ppid: number; start: string } | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Field 2 (comm) may contain spaces and parentheses: split after the last ')'.
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		return { ppid: Number(fields[1]), start: fields[19] ?? '0' };
	} catch {
		return undefined;
	}
}

function isEmerge(pid: number): boolean {
	try {
		const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
		// `python3 /usr/bin/emerge …`, `/usr/bin/emerge …`, or an interpreter running a script named emerge.
		return argv.slice(0, 3).some((arg) => basename(arg) === 'emerge');
	} catch {
		return false;
	}
}

/**
 * The outermost ancestor that is an emerge process, if any. Outermost, because Portage forks short-lived
 * children of itself (MergeProcess) that keep emerge's command line but exit after one package.
 */
export function findEmergeAncestor(from = process.ppid): ProcessRef | undefined {
	let pid = from;
	let found: ProcessRef | undefined;
	for (let hops = 0; pid > 1 && hops < 64; hops++) {
		const info = stat(pid);
		if (!info) break;
		if (isEmerge(pid)) found = { pid, start: info.start };
		pid = info.ppid;
	}
	return found;
}

export function isProcessAlive(ref: ProcessRef): boolean {
	const info = stat(ref.pid);
	return info !== undefined && info.start === ref.start;
}
