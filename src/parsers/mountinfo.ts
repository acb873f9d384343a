// /proc/self/mountinfo (proc(5)): which filesystem holds a path. Pure: takes the file's text.
import { unescapeOctal } from './octal-escape';

export interface MountEntry {
	mountPoint: string;
	fsType: string;
	source: string;
	/** Per-mount options (field 6: `rw`/`ro`, `nosuid`…). */
	options: string[];
	/** Super block options (after the source: `rw`/`ro`, file system specific). */
	superOptions: string[];
}

export function parseMountinfo(text: string): MountEntry[] {
	const out: MountEntry[] = [];
	for (const line of text.split('\n')) {
		const fields = line.trim().split(' ');
		// Optional fields end at a lone "-"; then fstype, source, super options.
		const dash = fields.indexOf('-');
		if (dash < 6 || fields.length < dash + 3) continue;
		out.push({
			mountPoint: unescapeOctal(fields[4]!),
			fsType: fields[dash + 1]!,
			source: unescapeOctal(fields[dash + 2]!),
			options: fields[5]!.split(',').filter(Boolean),
			superOptions: (fields[dash + 3] ?? '').split(',').filter(Boolean),
		});
	}
	return out;
}

/** The mount that holds `path` (absolute, normalised): the longest mount point prefix; the last one mounted wins a tie. */
export function mountOf(entries: readonly MountEntry[], path: string): MountEntry | undefined {
	let best: MountEntry | undefined;
	for (const entry of entries) {
		const mp = entry.mountPoint;
		const inside = mp === '/' || path === mp || path.startsWith(`${mp}/`);
		if (inside && (!best || mp.length >= best.mountPoint.length)) best = entry;
	}
	return best;
}

/** The mount visible at exactly `mountPoint` (the last one mounted there), if any. */
export function mountAtPoint(entries: readonly MountEntry[], mountPoint: string): MountEntry | undefined {
	for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.mountPoint === mountPoint) return entries[i];
	return undefined;
}

/** Read-only when the mount or its file system is (as /proc/mounts reports `ro` for either). */
export function isReadOnly(entry: MountEntry): boolean {
	return entry.options.includes('ro') || entry.superOptions.includes('ro');
}
