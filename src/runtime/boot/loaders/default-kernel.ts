// Which kernel the boot loader's default entry boots. An entry names its kernel release inside a longer id
// (`gentoo-6.12.8-gentoo-dist.conf`, GRUB's "Gentoo, with Linux 6.12.8-gentoo-dist"); a systemd-boot pattern
// (`gentoo-*`) picks the highest version, so that one is protected instead. Pure.
import type { DefaultEntry } from './default-entry';

function mentions(text: string, kv: string): boolean {
	let at = text.indexOf(kv);
	while (at >= 0) {
		const before = at === 0 ? '' : text[at - 1]!;
		const after = text[at + kv.length] ?? '';
		// `6.1.1` must not match inside `6.1.12` nor `16.1.1`; a following `.conf`/`.efi` is fine.
		if (!/[0-9A-Za-z._+~-]/.test(before) || before === '-') {
			if (!/[0-9A-Za-z_+~]/.test(after) && !/^[.-][0-9]/.test(text.slice(at + kv.length))) return true;
		}
		at = text.indexOf(kv, at + 1);
	}
	return false;
}

const byVersion = new Intl.Collator('en', { numeric: true });

/** Kernel releases among `kvs` that a default entry points at. */
export function defaultEntryKernels(entries: readonly DefaultEntry[], kvs: readonly string[]): Set<string> {
	const out = new Set<string>();
	for (const entry of entries) {
		const named = kvs.filter((kv) => mentions(entry.value, kv));
		// The longest match wins: `6.1.12-gentoo-dist` over `6.1.12` when both exist.
		const best = named.sort((a, b) => b.length - a.length)[0];
		if (best !== undefined) out.add(best);
		else if (/[*?[]/.test(entry.value) && kvs.length > 0) out.add([...kvs].sort(byVersion.compare).at(-1)!);
	}
	return out;
}
