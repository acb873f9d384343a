// The drop-in rule shared by dracut's conf.d and kernel-install's install.d: files from several directories
// sorted by basename, an earlier directory shadowing the same basename in a later one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isFile } from '../../lib/path-kind';

export function listDropIns(dirs: readonly string[], suffix: string): string[] {
	const chosen = new Map<string, string>();
	for (const dir of dirs) {
		let names: string[];
		try {
			names = readdirSync(dir);
		} catch {
			continue;
		}
		for (const name of names) {
			if (!name.endsWith(suffix) || name.startsWith('.') || chosen.has(name)) continue;
			chosen.set(name, join(dir, name));
		}
	}
	return [...chosen.keys()]
		.sort()
		.map((name) => chosen.get(name)!)
		.filter(isFile);
}
