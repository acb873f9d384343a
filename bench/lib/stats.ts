// Timing helpers: every benchmark line is a ratio of two medians measured side by side in the same run.
import { performance } from 'node:perf_hooks';

export function median(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds taken by `fn`, awaited. */
export async function timeOnce(fn: () => unknown): Promise<number> {
	const start = performance.now();
	await fn();
	return performance.now() - start;
}

/**
 * Runs `a` and `b` alternately `runs` times (after one untimed warm-up each) so that machine load hits both alike;
 * returns both medians in milliseconds.
 */
export async function timePair(
	a: () => unknown,
	b: () => unknown,
	runs: number,
): Promise<{ a: number; b: number; aRuns: number[]; bRuns: number[] }> {
	await a();
	await b();
	const aRuns: number[] = [];
	const bRuns: number[] = [];
	for (let i = 0; i < runs; i += 1) {
		aRuns.push(await timeOnce(a));
		bRuns.push(await timeOnce(b));
	}
	return { a: median(aRuns), b: median(bRuns), aRuns, bRuns };
}

/** Least-squares line through (x, y): slope, intercept and R². */
export function linearFit(points: readonly { x: number; y: number }[]): {
	slope: number;
	intercept: number;
	r2: number;
} {
	const n = points.length;
	const mx = points.reduce((s, p) => s + p.x, 0) / n;
	const my = points.reduce((s, p) => s + p.y, 0) / n;
	let sxy = 0;
	let sxx = 0;
	let syy = 0;
	for (const p of points) {
		sxy += (p.x - mx) * (p.y - my);
		sxx += (p.x - mx) ** 2;
		syy += (p.y - my) ** 2;
	}
	const slope = sxx === 0 ? 0 : sxy / sxx;
	const intercept = my - slope * mx;
	const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
	return { slope, intercept, r2 };
}

export function formatMs(ms: number): string {
	if (!Number.isFinite(ms)) return 'n/a';
	return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

/**
 * Runs every function in turn, `runs` rounds (after one untimed warm-up round), so that machine load hits all
 * alike; returns each one's median and samples in milliseconds, in the order given.
 */
export async function timeInterleaved(
	fns: readonly (() => unknown)[],
	runs: number,
): Promise<{ median: number; samples: number[] }[]> {
	for (const fn of fns) await fn();
	const samples = fns.map(() => [] as number[]);
	for (let i = 0; i < runs; i += 1) {
		for (const [j, fn] of fns.entries()) samples[j]!.push(await timeOnce(fn));
	}
	return samples.map((s) => ({ median: median(s), samples: s }));
}
