// Which installed packages own files under /lib/modules/KV: such a directory is the package's to remove
// (`emerge --depclean`), never ours. Only entries whose CONTENTS mention the directory are parsed.
import type { InstalledPackage } from './read-vdb';
import { readVdb } from './read-vdb';

/** The prefixes a package may have recorded for /lib/modules/KV (merged-usr systems record /usr/lib/modules). */
export function moduleDirPrefixes(kv: string): string[] {
	return [`/lib/modules/${kv}/`, `/usr/lib/modules/${kv}/`];
}

function ownsUnder(pkg: InstalledPackage, prefixes: readonly string[]): boolean {
	return (pkg.contents ?? []).some((entry) => entry.type !== 'dir' && prefixes.some((p) => entry.path.startsWith(p)));
}

/** `kv` → `category/PF` of every package owning a file under its module directory (empty list: nobody). */
export function moduleDirOwners(root: string, kvs: readonly string[]): Map<string, string[]> {
	const owners = new Map<string, string[]>(kvs.map((kv) => [kv, []]));
	if (kvs.length === 0) return owners;
	const needles = kvs.flatMap((kv) => moduleDirPrefixes(kv).map((p) => Buffer.from(` ${p}`)));
	const scan = readVdb(root, {
		select: (raw) => (needles.some((n) => raw.contents.includes(n)) ? 'contents' : 'skip'),
	});
	for (const pkg of scan.packages) {
		for (const kv of kvs) if (ownsUnder(pkg, moduleDirPrefixes(kv))) owners.get(kv)!.push(pkg.cpv);
	}
	// An entry that mentioned a module directory but could not be parsed may own it: never delete on a guess.
	for (const entry of scan.broken) for (const kv of kvs) owners.get(kv)!.push(`${entry.cpv} (unreadable entry)`);
	return owners;
}
