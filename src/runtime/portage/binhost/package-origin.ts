import { join } from 'node:path';
import { readTextOrUndefined } from '../../../lib/read-file';
import { underRoot } from '../../../lib/root';
import { type MergeRecord, parseEmergeLog } from '../../../parsers/emerge-log';
import { VDB_DIR } from '../vdb/read-vdb';
import type { KnownIndex } from './binhost-indexes';

export const EMERGE_LOG = '/var/log/emerge.log';

export interface PackageOrigin {
	origin: 'source' | 'binhost' | 'binpkg';
	/** The binhost whose index lists this exact binary package (origin 'binhost'). */
	binhost?: string;
	/** MD5 of the binary package Portage merged or created (VDB BINPKGMD5). */
	binpkgMd5?: string;
	/** What decided it. */
	evidence: 'binhost-index' | 'emerge-log' | 'vdb';
}

export interface OriginSources {
	emergeLog: Map<string, MergeRecord>;
	/** MD5 → binhost host, from cached remote indexes. */
	remoteMd5: Map<string, string>;
}

export function loadOriginSources(root: string, indexes: readonly KnownIndex[]): OriginSources {
	const remoteMd5 = new Map<string, string>();
	for (const index of indexes) {
		if (index.kind !== 'remote') continue;
		for (const pkg of index.packages) {
			const md5 = pkg.fields['MD5'];
			if (md5 && /^[0-9a-f]{32}$/i.test(md5)) remoteMd5.set(`${pkg.cpv}\0${md5.toLowerCase()}`, index.source);
		}
	}
	return { emergeLog: parseEmergeLog(readTextOrUndefined(underRoot(root, EMERGE_LOG)) ?? ''), remoteMd5 };
}

/** Pure decision from the evidence. */
export function decideOrigin(cpv: string, binpkgMd5: string | undefined, sources: OriginSources): PackageOrigin {
	const md5 = binpkgMd5 && /^[0-9a-f]{32}$/i.test(binpkgMd5) ? binpkgMd5.toLowerCase() : undefined;
	const withMd5 = md5 ? { binpkgMd5: md5 } : {};
	const logged = sources.emergeLog.get(cpv);
	if (logged?.kind === 'source') return { origin: 'source', ...withMd5, evidence: 'emerge-log' };
	const host = md5 ? sources.remoteMd5.get(`${cpv}\0${md5}`) : undefined;
	if (host !== undefined) return { origin: 'binhost', binhost: host, ...withMd5, evidence: 'binhost-index' };
	if (logged?.kind === 'binary')
		return { origin: logged.fetched ? 'binhost' : 'binpkg', ...withMd5, evidence: 'emerge-log' };
	return md5 ? { origin: 'binpkg', ...withMd5, evidence: 'vdb' } : { origin: 'source', evidence: 'vdb' };
}

/** Reads the package's BINPKGMD5 from the VDB and decides. */
export function packageOrigin(root: string, cpv: string, sources: OriginSources): PackageOrigin {
	const md5 = readTextOrUndefined(join(underRoot(root, VDB_DIR), cpv, 'BINPKGMD5'))?.trim();
	return decideOrigin(cpv, md5, sources);
}
