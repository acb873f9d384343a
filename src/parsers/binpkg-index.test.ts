import { describe, expect, it } from 'vitest';
import { parseBinpkgIndex } from './binpkg-index';

const INDEX = `ACCEPT_KEYWORDS: amd64
ARCH: amd64
PACKAGES: 2
TIMESTAMP: 1764000000
VERSION: 0

BUILD_ID: 1
BUILD_TIME: 1764000001
CPV: sys-kernel/gentoo-kernel-bin-6.1.12
MD5: 0123456789abcdef0123456789abcdef
PATH: sys-kernel/gentoo-kernel-bin/gentoo-kernel-bin-6.1.12-1.gpkg.tar
SLOT: 6.1.12

CPV: virtual/dist-kernel-6.1.12
MD5: fedcba9876543210fedcba9876543210
SLOT: 0/6.1.12
`;

describe('parseBinpkgIndex', () => {
	it('separates the header from package blocks and keeps every field', () => {
		const index = parseBinpkgIndex(INDEX);
		expect(index.header['PACKAGES']).toBe('2');
		expect(index.packages.map((p) => p.cpv)).toEqual([
			'sys-kernel/gentoo-kernel-bin-6.1.12',
			'virtual/dist-kernel-6.1.12',
		]);
		expect(index.packages[0]?.fields['PATH']).toBe('sys-kernel/gentoo-kernel-bin/gentoo-kernel-bin-6.1.12-1.gpkg.tar');
		expect(index.packages[1]?.fields['SLOT']).toBe('0/6.1.12');
	});

	it('reads an index without a header and tolerates CRLF and extra blank lines', () => {
		const index = parseBinpkgIndex('\r\n\r\nCPV: a-b/c-1\r\nMD5: x\r\n\r\n\r\n');
		expect(index.header).toEqual({});
		expect(index.packages).toEqual([{ cpv: 'a-b/c-1', fields: { CPV: 'a-b/c-1', MD5: 'x' } }]);
	});

	it('rejects lines that are not KEY: value, blocks without CPV and bad CPVs with typed errors', () => {
		expect(() => parseBinpkgIndex('ARCH: amd64\n\nnot a field\n')).toThrow(
			expect.objectContaining({ code: 'binhost.index', message: expect.stringContaining(':3') }),
		);
		expect(() => parseBinpkgIndex('ARCH: amd64\n\nMD5: x\n')).toThrow(
			expect.objectContaining({ code: 'binhost.index' }),
		);
		expect(() => parseBinpkgIndex('ARCH: amd64\n\nCPV: ../../etc\n')).toThrow(
			expect.objectContaining({ code: 'binhost.index' }),
		);
		expect(() => parseBinpkgIndex('CPV: a/b-1\0')).toThrow(expect.objectContaining({ code: 'binhost.index' }));
	});
});
