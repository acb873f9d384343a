// The boot loader's default entry, where a file says it: systemd-boot's loader.conf `default` (in the ESP or
// XBOOTLDR) and GRUB's grubenv `saved_entry`. Read-only; absent when nothing is configured.
import { readTextOrUndefined } from '../../../lib/read-file';
import { underRoot } from '../../../lib/root';

export interface DefaultEntry {
	source: string;
	value: string;
}

export function findDefaultEntries(root: string): DefaultEntry[] {
	const out: DefaultEntry[] = [];
	for (const dir of ['/efi', '/boot', '/boot/efi']) {
		const text = readTextOrUndefined(underRoot(root, `${dir}/loader/loader.conf`));
		if (text === undefined) continue;
		for (const line of text.split('\n')) {
			const match = /^\s*default\s+(\S.*?)\s*$/.exec(line);
			if (match) out.push({ source: `${dir}/loader/loader.conf`, value: match[1]! });
		}
	}
	for (const path of ['/boot/grub/grubenv', '/boot/grub2/grubenv']) {
		const text = readTextOrUndefined(underRoot(root, path));
		if (text === undefined) continue;
		for (const line of text.split('\n')) {
			const match = /^saved_entry=(.+)$/.exec(line);
			if (match) out.push({ source: path, value: match[1]! });
		}
	}
	return out;
}
