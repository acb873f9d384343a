// /proc/mounts (or /proc/self/mounts, fstab-like): `source target fstype options dump pass`, one mount per line,
// with space, tab, newline and backslash in names written as octal escapes (\040, \011, \012, \134).
import { unescapeOctal } from './octal-escape';

export interface MountEntry {
	source: string;
	target: string;
	fstype: string;
	options: string[];
}

export function parseProcMounts(text: string): MountEntry[] {
	const entries: MountEntry[] = [];
	for (const line of text.split('\n')) {
		const fields = line.trim().split(/\s+/);
		if (fields.length < 3 || fields[0]!.startsWith('#')) continue;
		entries.push({
			source: unescapeOctal(fields[0]!),
			target: unescapeOctal(fields[1]!),
			fstype: fields[2]!,
			options: (fields[3] ?? '').split(',').filter(Boolean),
		});
	}
	return entries;
}

/** The file system mounted last on `target` (the one visible there), if any. */
export function mountAt(entries: readonly MountEntry[], target: string): MountEntry | undefined {
	for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.target === target) return entries[i];
	return undefined;
}
