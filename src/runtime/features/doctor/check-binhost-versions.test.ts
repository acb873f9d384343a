import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readKnownIndexes } from '../../portage/binhost/binhost-indexes';
import { checkBinhostVersions, overlayVirtualVersions } from './check-binhost-versions';

const KERNELS = ['sys-kernel/gentoo-kernel', 'sys-kernel/gentoo-kernel-bin'];
let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function setUp(): void {
	root = mkdtempSync(join(tmpdir(), 'dk-binhost-'));
	const overlay = join(root, 'var/db/repos/dist-kernel/virtual/dist-kernel');
	mkdirSync(overlay, { recursive: true });
	writeFileSync(join(overlay, 'dist-kernel-6.1.12.ebuild'), 'EAPI=8\n');
	const cache = join(root, 'var/cache/edb/binhost/binhost.lan/packages');
	mkdirSync(cache, { recursive: true });
	writeFileSync(
		join(cache, 'Packages'),
		'ARCH: amd64\n\nCPV: virtual/dist-kernel-6.1.12\nMD5: a\n\nCPV: virtual/dist-kernel-6.1.13\nMD5: b\n\nCPV: sys-kernel/gentoo-kernel-bin-6.1.13-r1\nMD5: c\n\nCPV: sys-kernel/gentoo-kernel-6.1.14\nMD5: d\n\nCPV: app-misc/other-1\nMD5: e\n',
	);
	const pkgdir = join(root, 'var/cache/binpkgs');
	mkdirSync(pkgdir, { recursive: true });
	writeFileSync(join(pkgdir, 'Packages'), 'ARCH: amd64\n\nCPV: virtual/dist-kernel-9.9\nMD5: f\n');
}

describe('checkBinhostVersions', () => {
	it('warns once per binhost kernel version the overlay lacks, naming the binhost and the fix', () => {
		setUp();
		const scan = readKnownIndexes(root);
		expect(scan.indexes.map((i) => [i.kind, i.source, i.path])).toEqual([
			['remote', 'binhost.lan', '/var/cache/edb/binhost/binhost.lan/packages/Packages'],
			['local', '/var/cache/binpkgs', '/var/cache/binpkgs/Packages'],
		]);
		const versions = overlayVirtualVersions(root, '/var/db/repos/dist-kernel');
		expect([...versions]).toEqual(['6.1.12']);
		const findings = checkBinhostVersions(scan.indexes, versions, '/var/db/repos/dist-kernel', KERNELS);
		expect(findings.map((f) => f.subject)).toEqual(['virtual/dist-kernel-6.1.13', 'sys-kernel/gentoo-kernel-6.1.14']);
		expect(findings[0]).toMatchObject({
			id: 'binhost.version-missing',
			level: 'warning',
			message: expect.stringContaining('binhost binhost.lan offers'),
		});
		expect(findings[0]?.fix).toContain('dist-kernel generate');
	});

	it('reports an unreadable cached index instead of failing', () => {
		setUp();
		writeFileSync(join(root, 'var/cache/edb/binhost/binhost.lan/packages/Packages'), 'ARCH: amd64\n\ngarbage line\n');
		const scan = readKnownIndexes(root);
		expect(scan.unreadable.map((u) => u.error.code)).toEqual(['binhost.index']);
		expect(scan.indexes.map((i) => i.kind)).toEqual(['local']);
	});
});
