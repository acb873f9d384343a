// Benchmark: finding module packages and stale ones in a large VDB (default 2,000 packages).
//   npx tsx bench/stale-scan.ts [packages] [runs]
// Baseline: Portage's own vardbapi (the vendored Portage, bench/portage/vardb-stale-scan.py) answering the same
// question from the same tree: every installed package's RDEPEND slot-operator sub-slot of virtual/dist-kernel and
// the modules its CONTENTS lists, then which module packages are stale. Its time is taken inside the Python process
// after `import portage` (interpreter start-up not counted). Ours: scanModules in this process, without and with
// its skip cache warm. Both must give the same module packages and the same stale ones. Prints medians and ratios.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SCAN_CACHE, scanModules } from '../src/runtime/portage/vdb/scan-modules';
import { cachedGeneratedVdb } from '../test/modules/generate-vdb';
import { portageTree } from '../test/portage/portage-tree';

const KERNELS = ['sys-kernel/gentoo-kernel', 'sys-kernel/gentoo-kernel-bin', 'sys-kernel/vanilla-kernel'];
const total = Number(process.argv[2] ?? 2000);
const runs = Number(process.argv[3] ?? 7);

interface Answer {
	modules: string[];
	stale: string[];
}

const tree = await portageTree();
function portageScan(root: string): Answer & { ms: number } {
	const out = execFileSync(
		'python3',
		[join(import.meta.dirname, 'portage', 'vardb-stale-scan.py'), root, '1', ...KERNELS],
		{
			env: { ...process.env, PYTHONPATH: join(tree, 'lib') },
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
			maxBuffer: 16 * 1024 * 1024,
		},
	);
	const result = JSON.parse(out.trim().split('\n').pop()!) as Answer & { ms: number[] };
	return { modules: result.modules, stale: result.stale, ms: result.ms[0]! };
}

function ourScan(root: string, writeCache = false): Answer {
	const inventory = scanModules(root, { kernelPackages: KERNELS, writeCache });
	return { modules: inventory.modules.map((m) => m.cpv).sort(), stale: inventory.stale.map((s) => s.cpv).sort() };
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

const { root, modulePackages, staleExpected } = await cachedGeneratedVdb(total);
const cacheFile = join(root, SCAN_CACHE);
rmSync(cacheFile, { force: true });
// Same answer from both, or the comparison means nothing.
const reference = portageScan(root);
const expected = JSON.stringify({ modules: [...modulePackages].sort(), stale: [...staleExpected].sort() });
const seen = {
	portage: JSON.stringify({ modules: reference.modules, stale: reference.stale }),
	ours: JSON.stringify(ourScan(root)),
};
if (seen.portage !== expected || seen.ours !== expected)
	throw new Error(`scans disagree: expected ${expected}, Portage ${seen.portage}, ours ${seen.ours}`);

const portage: number[] = [];
const ours: number[] = [];
const warm: number[] = [];
try {
	for (let i = 0; i < runs; i++) {
		// Interleaved so machine load hits all three alike.
		rmSync(cacheFile, { force: true });
		portage.push(portageScan(root).ms);
		ours.push(time(() => ourScan(root)));
		ourScan(root, true);
		warm.push(time(() => ourScan(root)));
	}
	if (JSON.stringify(ourScan(root)) !== expected) throw new Error('the warm-cache scan disagrees');
} finally {
	rmSync(cacheFile, { force: true });
}
const p = median(portage);
const o = median(ours);
const w = median(warm);
process.stdout.write(
	`stale-module scan of ${total} installed packages (${modulePackages.length} module packages, ${staleExpected.length} stale), median of ${runs} runs\n`,
);
process.stdout.write(`  Portage vardbapi:              ${p.toFixed(1)} ms\n`);
process.stdout.write(`  dist-kernel (no cache):        ${o.toFixed(1)} ms   ${(p / o).toFixed(1)}x faster\n`);
process.stdout.write(`  dist-kernel (warm skip cache): ${w.toFixed(1)} ms   ${(p / w).toFixed(1)}x faster\n`);
