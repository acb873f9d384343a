// The P1 breakdown's parsing (bench/measure/dracut-runs.ts): the phase log the bench's bashrc writes inside the
// root, turned into phase spans, package spans and per-package sums.
import { describe, expect, it } from 'vitest';
import { parsePhases, parseRuntimeTimings, summarise } from '../../bench/measure/dracut-runs';

const LOG = [
	'100.000 sourced sys-kernel/k-2 setup',
	'100.100 start sys-kernel/k-2 pkg_setup',
	'100.300 end sys-kernel/k-2 pkg_setup',
	'101.000 sourced sys-kernel/k-2 postinst',
	'101.500 start sys-kernel/k-2 pkg_postinst',
	'104.500 end sys-kernel/k-2 pkg_postinst',
	'105.000 sourced dk/m-1 setup',
	'105.250 start dk/m-1 pkg_setup',
	'a torn line',
	'105.750 end dk/m-1 pkg_setup',
	'106.000 start dk/m-1 pkg_postinst',
	'107.000 sourced dk/m-1 postrm',
	'108.000 end dk/m-1 pkg_postinst',
	// the replaced instance's unmerge, inside its successor's span
	'107.000 sourced dk/m-0 prerm',
	'107.500 sourced dk/m-0 postrm',
	'',
].join('\n');

describe('P1 breakdown', () => {
	it('pairs phase marks into spans and spans each package from its first phase process to its last mark', () => {
		const { spans, intervals, packages } = parsePhases(LOG);
		expect(spans.map((p) => [p.pkg, p.phase, Math.round(p.ms)])).toEqual([
			['sys-kernel/k-2', 'pkg_setup', 200],
			['sys-kernel/k-2', 'pkg_postinst', 3000],
			['dk/m-1', 'pkg_setup', 500],
			['dk/m-1', 'pkg_postinst', 2000],
		]);
		expect(intervals).toHaveLength(4);
		expect(packages.map((p) => [p.pkg, Math.round(p.to - p.from)])).toEqual([
			['sys-kernel/k-2', 4500],
			['dk/m-1', 3000],
			['dk/m-0', 500],
		]);
	});

	it('attributes runtime steps to the phase running when they started, and sums per package', () => {
		const { spans, intervals, packages } = parsePhases(LOG);
		const runtime = parseRuntimeTimings(
			['102000 7 dracut 2400', '106500 9 coalesce-plan 300', '99000 3 start-up 50'].join('\n'),
			intervals,
		);
		expect(runtime.map((r) => r.during)).toEqual(['sys-kernel/k-2 pkg_postinst', 'dk/m-1 pkg_postinst', undefined]);
		const sum = summarise({ ms: 9000, dracutRuns: 1, phases: spans, packages, runtime });
		expect(sum.packages.map((p) => [p.pkg, Math.round(p.ms), Math.round(p.spanMs ?? -1)])).toEqual([
			['sys-kernel/k-2', 3200, 4500],
			['dk/m-1', 2500, 3000],
		]);
		expect(Math.round(sum.phasesMs)).toBe(5700);
		// the union of the spans: dk/m-0's lies inside dk/m-1's
		expect(Math.round(sum.packagesMs ?? -1)).toBe(7500);
		expect(sum.runtime.map((r) => r.label)).toEqual(['dracut', 'coalesce-plan', 'start-up']);
		// a run recorded before the package spans existed still sums
		expect(summarise({ ms: 9000, dracutRuns: 1, phases: spans, runtime }).packagesMs).toBeUndefined();
	});
});
