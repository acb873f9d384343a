// /etc/fstab (fstab(5)): `spec file vfstype mntops freq passno`, blank-separated, `#` comments, with blanks in names
// written as octal escapes (\040). Pure: takes the file's text.
import { unescapeOctal } from './octal-escape';

export interface FstabEntry {
	source: string;
	/** Mount point, trailing slashes removed ("/boot/" is "/boot"). */
	target: string;
	fsType: string;
	options: string[];
}

function normaliseTarget(target: string): string {
	return target.length > 1 ? target.replace(/\/+$/, '') || '/' : target;
}

/** Every entry with at least a source and a mount point; comments, blank and short lines are skipped. */
export function parseFstab(text: string): FstabEntry[] {
	const entries: FstabEntry[] = [];
	for (const line of text.split('\n')) {
		const trimmed = line.trim();
		if (trimmed === '' || trimmed.startsWith('#')) continue;
		const fields = trimmed.split(/\s+/);
		if (fields.length < 2) continue;
		entries.push({
			source: unescapeOctal(fields[0]!),
			target: normaliseTarget(unescapeOctal(fields[1]!)),
			fsType: fields[2] ?? '',
			options: (fields[3] ?? '').split(',').filter(Boolean),
		});
	}
	return entries;
}
