// Benchmark: finding module packages and stale ones in a 2,000-package VDB.
//   npx tsx bench/stale-scan.ts [packages] [runs]
// Baseline: a naive full read — every file of every /var/db/pkg entry read, every entry and its whole CONTENTS
// parsed, then classified. Ours: scanModules, which looks at two raw files per entry (RDEPEND, CONTENTS bytes)
// and parses only kernels, the virtual and module packages; and the same with its skip cache warm (entries the
// pre-filter rejected before and whose fingerprint is unchanged are only stat'ed). Prints medians and ratios.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseContents } from '../src/parsers/vdb-contents';
import { parseVdbEntry, type VdbFiles } from '../src/parsers/vdb-entry';
import { SCAN_CACHE, scanModules } from '../src/runtime/modules/scan-modules';
import { listVdbEntries } from '../src/runtime/vdb/read-vdb';
import { cachedGeneratedVdb } from '../test/modules/generate-vdb';

const KERNELS = ['sys-kernel/gentoo-kernel', 'sys-kernel/gentoo-kernel-bin', 'sys-kernel/vanilla-kernel'];
const total = Number(process.argv[2] ?? 2000);
const runs = Number(process.argv[3] ?? 7);

function naiveScan(root: string): string[] {
	const found: string[] = [];
	for (const cpv of listVdbEntries(root)) {
		const dir = join(root, 'var/db/pkg', cpv);
		const files: Record<string, string> = {};
		for (const name of readdirSync(dir)) files[name] = readFileSync(join(dir, name), 'utf8');
		const pkg = parseVdbEntry(cpv, files as VdbFiles);
		const contents = parseContents(files['CONTENTS'] ?? '');
		const isModule = pkg.rdepend.some((a) => a.key === 'virtual/dist-kernel') || contents.some((e) => /^(?:\/usr)?\/lib\/modules\/[^/]+\//.test(e.path));
		if (isModule && !KERNELS.includes(pkg.key)) found.push(cpv);
	}
	return found;
}

function ourScan(root: string, writeCache = false): string[] {
	return scanModules(root, { kernelPackages: KERNELS, writeCache }).modules.map((m) => m.cpv);
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => unknown): number {
	const start = performance.now();
	fn();
	return performance.now() - start;
}

const { root, modulePackages } = await cachedGeneratedVdb(total);
const cacheFile = join(root, SCAN_CACHE);
rmSync(cacheFile, { force: true });
// Same answer from both, or the comparison means nothing.
const a = naiveScan(root).sort();
const b = ourScan(root).sort();
if (JSON.stringify(a) !== JSON.stringify(b) || a.length !== modulePackages.length) {
	throw new Error(`scans disagree: naive ${a.length}, ours ${b.length}, expected ${modulePackages.length}`);
}
const naive: number[] = [];
const ours: number[] = [];
const warm: number[] = [];
try {
	for (let i = 0; i < runs; i++) {
		// Interleaved so machine load hits all three alike.
		rmSync(cacheFile, { force: true });
		naive.push(time(() => naiveScan(root)));
		ours.push(time(() => ourScan(root)));
		ourScan(root, true);
		warm.push(time(() => ourScan(root)));
	}
	if (JSON.stringify(ourScan(root).sort()) !== JSON.stringify(a)) throw new Error('the warm-cache scan disagrees');
} finally {
	rmSync(cacheFile, { force: true });
}
const n = median(naive);
const o = median(ours);
const w = median(warm);
process.stdout.write(`stale-module scan of ${total} installed packages (${modulePackages.length} module packages), median of ${runs} runs\n`);
process.stdout.write(`  naive full read:              ${n.toFixed(1)} ms\n`);
process.stdout.write(`  dist-kernel (no cache):       ${o.toFixed(1)} ms   ${(n / o).toFixed(1)}x faster\n`);
process.stdout.write(`  dist-kernel (warm skip cache): ${w.toFixed(1)} ms   ${(n / w).toFixed(1)}x faster\n`);
