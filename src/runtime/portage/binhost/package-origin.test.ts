import { describe, expect, it } from 'vitest';
import { parseEmergeLog } from '../../../parsers/emerge-log';
import { decideOrigin, type OriginSources } from './package-origin';

const MD5 = '0123456789abcdef0123456789abcdef';
const CPV = 'sys-kernel/gentoo-kernel-bin-6.1.12';

function sources(log = '', remote: Array<[string, string, string]> = []): OriginSources {
	return {
		emergeLog: parseEmergeLog(log),
		remoteMd5: new Map(remote.map(([cpv, md5, host]) => [`${cpv}\0${md5}`, host])),
	};
}

describe('decideOrigin', () => {
	it('names the binhost whose cached index lists the exact binary package', () => {
		expect(decideOrigin(CPV, MD5.toUpperCase(), sources('', [[CPV, MD5, 'binhost.example']]))).toEqual({
			origin: 'binhost',
			binhost: 'binhost.example',
			binpkgMd5: MD5,
			evidence: 'binhost-index',
		});
	});
	it('a source build logged in emerge.log stays a source build, even when FEATURES=buildpkg recorded an MD5', () => {
		expect(
			decideOrigin(CPV, MD5, sources(`1:  === (1 of 1) Compiling/Merging (${CPV}::/x.ebuild)\n`, [[CPV, MD5, 'h']])),
		).toMatchObject({ origin: 'source', evidence: 'emerge-log' });
	});
	it('uses emerge.log for binaries whose index is gone', () => {
		expect(
			decideOrigin(
				CPV,
				MD5,
				sources(`1:  --- (1 of 1) Fetching Binary (${CPV}::/p)\n2:  === (1 of 1) Merging Binary (${CPV}::/p)\n`),
			),
		).toMatchObject({ origin: 'binhost', evidence: 'emerge-log' });
		expect(decideOrigin(CPV, MD5, sources(`2:  === (1 of 1) Merging Binary (${CPV}::/p)\n`))).toMatchObject({
			origin: 'binpkg',
			evidence: 'emerge-log',
		});
	});
	it('falls back to the VDB: BINPKGMD5 means a binary package was involved', () => {
		expect(decideOrigin(CPV, MD5, sources())).toEqual({ origin: 'binpkg', binpkgMd5: MD5, evidence: 'vdb' });
		expect(decideOrigin(CPV, undefined, sources())).toEqual({ origin: 'source', evidence: 'vdb' });
		expect(decideOrigin(CPV, 'not-an-md5', sources())).toEqual({ origin: 'source', evidence: 'vdb' });
	});
});
