// Stale-module scan: runs bench/stale-scan.ts (ours: scanModules; baseline: Portage's own vardbapi answering the
// same question from the same tree) at several VDB sizes and reads its three result lines back.
import { join } from 'node:path';
import { TOP } from '../lib/bundle';
import { runProcess } from '../lib/run-process';

export interface ScanPoint {
	packages: number;
	/** Portage's vardbapi (bench/portage/vardb-stale-scan.py), timed inside its process. */
	portageMs: number;
	/** scanModules without its skip cache (every entry looked at). */
	oursMs: number;
	ratio: number;
	/** scanModules with a warm skip cache, when bench/stale-scan.ts reports it. */
	oursWarmMs?: number;
	modulePackages?: number;
}

export interface ScanScaling {
	points: ScanPoint[];
	runs: number;
	error?: string;
}

function number(text: string, re: RegExp): number {
	const match = re.exec(text);
	return match ? Number(match[1]) : Number.NaN;
}

export async function measureScanScaling(sizes: readonly number[], runs: number): Promise<ScanScaling> {
	const tsx = join(TOP, 'node_modules', '.bin', 'tsx');
	const points: ScanPoint[] = [];
	for (const size of sizes) {
		const result = await runProcess(tsx, [join(TOP, 'bench', 'stale-scan.ts'), String(size), String(runs)], {
			cwd: TOP,
		});
		if (result.code !== 0)
			return {
				points,
				runs,
				error: `bench/stale-scan.ts ${size} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
			};
		const portageMs = number(result.stdout, /Portage vardbapi:\s*([0-9.]+) ms/);
		const oursMs = number(result.stdout, /dist-kernel(?: \(no cache\))?:\s*([0-9.]+) ms/);
		const warm = number(result.stdout, /dist-kernel \(warm[^)]*\):\s*([0-9.]+) ms/);
		const modules = number(result.stdout, /\((\d+) module packages\)/);
		if (!Number.isFinite(portageMs) || !Number.isFinite(oursMs))
			return { points, runs, error: `cannot read the output of bench/stale-scan.ts: ${result.stdout.trim()}` };
		points.push({
			packages: size,
			portageMs,
			oursMs,
			ratio: portageMs / oursMs,
			...(Number.isFinite(warm) ? { oursWarmMs: warm } : {}),
			...(Number.isFinite(modules) ? { modulePackages: modules } : {}),
		});
	}
	return { points, runs };
}
