// Portage's make.conf as Portage reads it: one file, or a directory whose files are read in name order.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { underRoot } from '../../lib/root';

export const MAKE_CONF = '/etc/portage/make.conf';

export function makeConfTexts(root: string): string[] {
	const path = underRoot(root, MAKE_CONF);
	try {
		if (!statSync(path).isDirectory()) return [readFileSync(path, 'utf8')];
		return readdirSync(path)
			.filter((name) => !name.startsWith('.'))
			.sort()
			.map((name) => readFileSync(join(path, name), 'utf8'));
	} catch {
		return [];
	}
}
