// Real Portage for the tests: the vendored `git archive` tarball extracted once into .cache/portage-<sha256 prefix>.
// Portage runs straight from that tree (`python3 bin/emerge`); nothing is built.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireLock } from '../../src/lib/lock';
import { CACHE_DIR } from '../helpers/debian-kernel';

export const VENDOR_DIR = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'vendor');
export const PORTAGE_TARBALL = join(VENDOR_DIR, 'portage-a20ef27afb0c.tar.xz');
/** Gentoo's eclasses that kernel and module ebuilds inherit (toolchain-funcs, linux-info…). */
export const GENTOO_ECLASSES = join(VENDOR_DIR, 'gentoo-eclasses');
/** Gentoo's own dist-kernel-utils, kernel-install, linux-mod-r1, kernel-build. */
export const GENTOO_DIST_KERNEL_ECLASSES = join(GENTOO_ECLASSES, 'gentoo-dist-kernel');

/** The extracted Portage tree (bin/emerge, lib/portage, cnf/make.globals). */
export async function portageTree(): Promise<string> {
	if (!existsSync(PORTAGE_TARBALL))
		throw new Error(`Portage is not vendored: ${PORTAGE_TARBALL} is missing (../shared/vendor)`);
	const sha = createHash('sha256').update(readFileSync(PORTAGE_TARBALL)).digest('hex').slice(0, 16);
	const dir = join(CACHE_DIR, `portage-${sha}`);
	if (existsSync(join(dir, 'bin', 'emerge'))) return dir;
	mkdirSync(CACHE_DIR, { recursive: true });
	const lock = await acquireLock(join(CACHE_DIR, 'portage-tree.lock'));
	try {
		if (!existsSync(join(dir, 'bin', 'emerge'))) {
			const staging = `${dir}.tmp`;
			rmSync(staging, { recursive: true, force: true });
			mkdirSync(staging);
			execFileSync('tar', ['-xJf', PORTAGE_TARBALL, '-C', staging], { stdio: ['ignore', 'ignore', 'pipe'] });
			renameSync(staging, dir);
		}
		return dir;
	} finally {
		lock.release();
	}
}
