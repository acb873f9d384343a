// PKGDIR as Portage sees it: make.conf (a file, or a directory whose files are read in name order), else the
// default /var/cache/binpkgs.
import { makeConfValue } from '../../../parsers/make-conf-var';
import { makeConfTexts } from '../../config-files/make-conf';
import { DEFAULT_PKGDIR } from './binhost-indexes';

export function readPkgdir(root: string): string {
	const value = makeConfValue(makeConfTexts(root), 'PKGDIR');
	return value?.startsWith('/') && !value.includes('\0') ? value.replace(/\/+$/, '') || '/' : DEFAULT_PKGDIR;
}
