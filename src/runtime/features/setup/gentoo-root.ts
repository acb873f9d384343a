// `setup` changes Portage's configuration, so it first makes sure the root really is a Gentoo system.
import { existsSync, readFileSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import { isDirectory } from '../../../lib/path-kind';
import { underRoot } from '../../../lib/root';
import { parseOsRelease } from '../../../parsers/os-release';

/** Why a root looks like Gentoo: at least one marker besides /etc/portage. */
const MARKERS = ['/etc/gentoo-release', '/usr/share/portage/config/repos.conf', '/var/db/pkg/sys-apps'] as const;

/** os-release(5) ID or ID_LIKE naming gentoo (Gentoo Prefix and derivatives such as Funtoo set ID_LIKE). */
function osReleaseSaysGentoo(root: string): boolean {
	for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
		let text: string;
		try {
			text = readFileSync(underRoot(root, path), 'utf8');
		} catch {
			continue;
		}
		const fields = parseOsRelease(text);
		return [fields['ID'], ...(fields['ID_LIKE'] ?? '').split(/\s+/)].includes('gentoo');
	}
	return false;
}

/** Throws 'setup.not-gentoo' unless `root` has /etc/portage and some other sign of Gentoo. */
export function assertGentooRoot(root: string): void {
	const portage = underRoot(root, '/etc/portage');
	const found = MARKERS.filter((m) => existsSync(underRoot(root, m)));
	if (isDirectory(portage) && (found.length > 0 || osReleaseSaysGentoo(root))) return;
	const missing = isDirectory(portage)
		? `none of ${MARKERS.join(', ')} exists and os-release does not name gentoo`
		: '/etc/portage is not a directory';
	throw new DistKernelError('setup.not-gentoo', `not a Gentoo system: ${root}`, {
		details: missing,
		hint: 'run `dist-kernel setup` on a Gentoo system, or give the Gentoo tree with --root DIR',
	});
}
