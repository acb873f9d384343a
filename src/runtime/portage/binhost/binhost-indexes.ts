// The binary package indexes this system knows: the copies of remote binhost indexes Portage caches under
// /var/cache/edb/binhost/<host>/<path>/Packages (gentoo/portage bintree.py `_populate_remote`), and the local
// PKGDIR's own Packages. Read-only; an unreadable index is reported, never fatal.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type DistKernelError, isDistKernelError } from '../../../lib/errors';
import { underRoot } from '../../../lib/root';
import { type BinpkgIndexEntry, parseBinpkgIndex } from '../../../parsers/binpkg-index';

export const BINHOST_CACHE_DIR = '/var/cache/edb/binhost';
export const DEFAULT_PKGDIR = '/var/cache/binpkgs';

export interface KnownIndex {
	/** 'remote' for a cached binhost index, 'local' for PKGDIR/Packages. */
	kind: 'remote' | 'local';
	/** Binhost host name (remote) or the PKGDIR (local). */
	source: string;
	/** System path of the index file. */
	path: string;
	packages: BinpkgIndexEntry[];
}

export interface IndexScan {
	indexes: KnownIndex[];
	unreadable: Array<{ path: string; error: DistKernelError }>;
}

function findPackagesFiles(dir: string, depth: number): string[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return [];
	}
	const out: string[] = [];
	for (const name of names.sort()) {
		const full = join(dir, name);
		let isDir = false;
		try {
			isDir = statSync(full).isDirectory();
		} catch {
			continue;
		}
		if (isDir && depth > 0) out.push(...findPackagesFiles(full, depth - 1));
		else if (!isDir && name === 'Packages') out.push(full);
	}
	return out;
}

function readIndex(root: string, full: string, kind: KnownIndex['kind'], source: string, scan: IndexScan): void {
	const systemPath = `/${relative(root, full)}`;
	let text: string;
	try {
		text = readFileSync(full, 'utf8');
	} catch {
		return;
	}
	try {
		scan.indexes.push({ kind, source, path: systemPath, packages: parseBinpkgIndex(text, systemPath).packages });
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		scan.unreadable.push({ path: systemPath, error });
	}
}

/** `pkgdir`: the system's PKGDIR (system path). */
export function readKnownIndexes(root: string, pkgdir = DEFAULT_PKGDIR): IndexScan {
	const scan: IndexScan = { indexes: [], unreadable: [] };
	const cache = underRoot(root, BINHOST_CACHE_DIR);
	for (const file of findPackagesFiles(cache, 6)) {
		const host = relative(cache, file).split('/')[0] ?? '';
		readIndex(root, file, 'remote', host, scan);
	}
	readIndex(root, join(underRoot(root, pkgdir), 'Packages'), 'local', pkgdir, scan);
	return scan;
}
