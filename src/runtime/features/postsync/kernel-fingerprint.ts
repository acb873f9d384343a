// A cheap summary of what a repository offers for the configured kernel packages: the names of their ebuilds.
// Reading a handful of directories is all the post-sync hook does when nothing changed.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `category/name` → sorted ebuild file names found in `location` (packages the repository lacks are omitted). */
export function listKernelEbuilds(location: string, kernelPackages: readonly string[]): Map<string, string[]> {
	const found = new Map<string, string[]>();
	for (const key of [...kernelPackages].sort()) {
		let names: string[];
		try {
			names = readdirSync(join(location, key));
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT' || code === 'ENOTDIR') continue;
			throw error;
		}
		const ebuilds = names.filter((n) => n.endsWith('.ebuild')).sort();
		if (ebuilds.length > 0) found.set(key, ebuilds);
	}
	return found;
}

/** One hex digest over the ebuild lists and anything else that changes what the generator writes. */
export function fingerprint(ebuilds: Map<string, string[]>, extra: readonly string[] = []): string {
	const hash = createHash('sha256');
	for (const [key, names] of ebuilds) hash.update(`${key}\n${names.join('\n')}\n\n`);
	hash.update(`extra\n${extra.join('\n')}\n`);
	return hash.digest('hex');
}
