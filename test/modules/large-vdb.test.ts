// The module scan on a generated 2,000-package VDB finds exactly what a full parse of every entry finds.
import { beforeAll, describe, expect, it } from 'vitest';
import { readVdb } from '../../src/runtime/portage/vdb/read-vdb';
import { scanModules } from '../../src/runtime/portage/vdb/scan-modules';
import { cachedGeneratedVdb, type GeneratedVdb } from './generate-vdb';

const KERNELS = ['sys-kernel/gentoo-kernel', 'sys-kernel/gentoo-kernel-bin', 'sys-kernel/vanilla-kernel'];
let root: string;
let generated: GeneratedVdb;

beforeAll(async () => {
	// Read-only from here on: built once per machine in the test cache.
	({ root, ...generated } = await cachedGeneratedVdb(2000));
});

describe('module scan on 2,000 packages', () => {
	it('finds every module package and the stale ones', () => {
		const inv = scanModules(root, { kernelPackages: KERNELS });
		expect(inv.broken).toEqual([]);
		expect(inv.kernels.map((k) => k.kv)).toEqual(generated.kernels);
		expect(inv.modules.map((m) => m.cpv).sort()).toEqual([...generated.modulePackages].sort());
		expect(inv.stale.map((s) => s.cpv).sort()).toEqual(generated.staleExpected);
	});

	it('selects the same packages as a full parse of every entry (the cheap pre-filter loses nothing)', () => {
		const full = readVdb(root);
		expect(full.packages).toHaveLength(2000);
		const fromFull = full.packages
			.filter(
				(p) =>
					p.rdepend.some((a) => a.key === 'virtual/dist-kernel') ||
					(p.contents ?? []).some((e) => /^(?:\/usr)?\/lib\/modules\/[^/]+\//.test(e.path)),
			)
			.filter((p) => !KERNELS.includes(p.key))
			.map((p) => p.cpv)
			.sort();
		const inv = scanModules(root, { kernelPackages: KERNELS });
		expect(inv.modules.map((m) => m.cpv).sort()).toEqual(fromFull);
	});
});
