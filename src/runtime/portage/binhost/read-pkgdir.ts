// PKGDIR as Portage sees it: make.conf (a file, or a directory whose files are read in name order), else the
// default /var/cache/binpkgs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { underRoot } from '../../../lib/root';
import { makeConfValue } from '../../../parsers/make-conf-var';
import { DEFAULT_PKGDIR } from './binhost-indexes';

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

export function readPkgdir(root: string): string {
	const value = makeConfValue(makeConfTexts(root), 'PKGDIR');
	return value && value.startsWith('/') && !value.includes('\0') ? value.replace(/\/+$/, '') || '/' : DEFAULT_PKGDIR;
}
