// /proc/mounts (or /proc/self/mounts, fstab-like): `source target fstype options dump pass`, one mount per line,
// with space, tab, newline and backslash in names written as octal escapes (\040, \011, \012, \134).

export interface MountEntry {
	source: string;
	target: string;
	fstype: string;
	options: string[];
}

function unescape(field: string): string {
	return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function parseProcMounts(text: string): MountEntry[] {
	const entries: MountEntry[] = [];
	for (const line of text.split('\n')) {
		const fields = line.trim().split(/\s+/);
		if (fields.length < 3 || fields[0]!.startsWith('#')) continue;
		entries.push({ source: unescape(fields[0]!), target: unescape(fields[1]!), fstype: fields[2]!, options: (fields[3] ?? '').split(',').filter(Boolean) });
	}
	return entries;
}

/** The file system mounted last on `target` (the one visible there), if any. */
export function mountAt(entries: readonly MountEntry[], target: string): MountEntry | undefined {
	for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.target === target) return entries[i];
	return undefined;
}
