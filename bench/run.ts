// `npm run bench`: every line a ratio of two medians measured side by side in this run; results also in
// bench/results.json and plots in bench/generate-scaling.svg and bench/scan-scaling.svg.
//   --quick: fewer runs per measurement (the numbers get noisier, the ratios stay comparable).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { programBundle, TOP } from './lib/bundle';
import { formatMs } from './lib/stats';
import { renderLinePlot } from './lib/svg-plot';
import { renderTable } from './lib/text-table';
import { type DracutRunsPoint, measureDracutRuns, renderBreakdown } from './measure/dracut-runs';
import { type FleetUpgrade, measureFleetUpgrade } from './measure/fleet-upgrade';
import { type GenerateScaling, measureGenerateScaling } from './measure/generate-scaling';
import { type HookOverhead, measureHookOverhead } from './measure/hook-overhead';
import { type InitramfsListingResult, measureInitramfsListing } from './measure/initramfs-listing';
import { measureScanScaling, type ScanScaling } from './measure/scan-scaling';
import { measureTriggerRuns, type TriggerRunsPoint } from './measure/trigger-runs';
import { measureVerifyCost, type VerifyCost } from './measure/verify-boot';

const quick = process.argv.includes('--quick');
// `--only hook,generate,scan,listing,dracut,triggers,fleet` runs a subset (the JSON then holds only those).
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set(
	onlyArg ? onlyArg.split(',') : ['hook', 'generate', 'scan', 'listing', 'dracut', 'verify', 'triggers', 'fleet'],
);
const runs = {
	hook: quick ? 7 : 21,
	generate: quick ? 3 : 7,
	scan: quick ? 3 : 7,
	listing: quick ? 3 : 7,
	dracut: quick ? 1 : 3,
	verify: quick ? 1 : 3,
	fleet: quick ? 1 : 3,
};
// `--dracut-k=0,3` limits the P1 emerges to those K (a small-scale check of the bench itself; the goals need all three)
const dracutKs = process.argv
	.find((a) => a.startsWith('--dracut-k='))
	?.slice('--dracut-k='.length)
	.split(',')
	.map(Number) ?? [0, 1, 3];
// `--verify-images=uki,uki-secureboot` and `--verify-accel=tcg` narrow the verification rows (a host whose KVM
// passes the probe yet hangs Linux guests measures TCG only).
const verifyImages = process.argv
	.find((a) => a.startsWith('--verify-images='))
	?.slice('--verify-images='.length)
	.split(',');
const verifyAccel = process.argv.find((a) => a.startsWith('--verify-accel='))?.slice('--verify-accel='.length);
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Results {
	/** loadStart / loadEnd: os.loadavg() (1, 5, 15 minutes) when the run started and ended; an idle machine reads near 0. */
	machine: {
		node: string;
		cpus: number;
		when: string;
		mode: string;
		loadStart: number[];
		loadEnd?: number[];
		ended?: string;
	};
	hook?: HookOverhead | { error: string };
	generate?: GenerateScaling | { error: string };
	scan?: ScanScaling | { error: string };
	listing?: InitramfsListingResult | { error: string };
	dracutRuns?: DracutRunsPoint[] | { error: string };
	verify?: VerifyCost | { error: string };
	triggerRuns?: TriggerRunsPoint[] | { error: string };
	fleet?: FleetUpgrade | { error: string };
}

async function attempt<T>(label: string, fn: () => Promise<T>): Promise<T | { error: string }> {
	out(`measuring: ${label} ...`);
	try {
		return await fn();
	} catch (error) {
		const message = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
		out(`  failed: ${message}`);
		return { error: message };
	}
}

const isError = (value: unknown): value is { error: string } =>
	typeof value === 'object' && value !== null && 'error' in value && !('points' in value);

const { cpus, loadavg } = await import('node:os');
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);
const results: Results = {
	machine: {
		node: process.version,
		cpus: cpus().length,
		when: new Date().toISOString(),
		mode: quick ? 'quick' : 'full',
		loadStart: load(),
	},
};
out(`load average at start (1, 5, 15 min): ${results.machine.loadStart.join(', ')} on ${cpus().length} CPUs`);
const bin = await programBundle();
out(`program: ${bin} (built from src/ now); mode: ${quick ? 'quick' : 'full'}\n`);

const skipped = { error: 'not selected (--only)' };
results.hook = only.has('hook') ? await attempt('hook overhead', () => measureHookOverhead(bin, runs.hook)) : skipped;
results.generate = only.has('generate')
	? await attempt('generate scaling', () => measureGenerateScaling(bin, [10, 100, 500], runs.generate))
	: skipped;
results.scan = only.has('scan')
	? await attempt('stale-module scan', () => measureScanScaling([250, 500, 1000, 2000], runs.scan))
	: skipped;
results.listing = only.has('listing')
	? await attempt('initramfs listing', () => measureInitramfsListing(runs.listing))
	: skipped;
results.dracutRuns = only.has('dracut')
	? await attempt('dracut runs per upgrade', () => measureDracutRuns(bin, dracutKs, runs.dracut))
	: skipped;
results.verify = only.has('verify')
	? await attempt('boot verification cost', () =>
			measureVerifyCost(bin, runs.verify, { images: verifyImages, accel: verifyAccel }),
		)
	: skipped;
results.triggerRuns = only.has('triggers')
	? await attempt('dracut runs per update with firmware, 3 kernels', () =>
			measureTriggerRuns(bin, quick ? [2] : [1, 2]),
		)
	: skipped;
results.fleet = only.has('fleet')
	? await attempt('fleet: client kernel upgrade from a binhost vs from source', () =>
			measureFleetUpgrade(bin, runs.fleet),
		)
	: skipped;

results.machine.loadEnd = load();
results.machine.ended = new Date().toISOString();
writeFileSync(
	join(TOP, 'bench', onlyArg ? 'results-partial.json' : 'results.json'),
	`${JSON.stringify(results, null, '\t')}\n`,
);

const rows: string[][] = [];
const x = (n: number) => `${n.toFixed(2)}×`;
const h = results.hook;
const HOOK_GOAL = 1.3;
if (isError(h)) rows.push(['hook overhead', 'not measured', h.error, `≤ ${HOOK_GOAL}×`, 'NOT met']);
else {
	const kib = (h.startupBytes / 1024).toFixed(0);
	const heavy =
		h.heavyAtStartup.length > 0
			? `loads ${h.heavyAtStartup.join(', ')} at start-up`
			: 'no commander/zod/execa/handlebars at start-up';
	rows.push([
		`P2 hook start-up, wall: no-op \`plugin dist-kernel remove\` vs \`node -e ''\``,
		`${formatMs(h.hookMs)} vs ${formatMs(h.bareNodeMs)}`,
		x(h.ratio),
		`≤ ${HOOK_GOAL}×`,
		h.ratio <= HOOK_GOAL ? 'met' : 'NOT met',
	]);
	rows.push([
		`  CPU time (user+sys); start-up loads ${h.startupFiles} files, ${kib} KiB; ${heavy}`,
		`${formatMs(h.hookCpuMs)} vs ${formatMs(h.bareNodeCpuMs)}`,
		x(h.cpuRatio),
		`≤ ${HOOK_GOAL}×`,
		h.cpuRatio <= HOOK_GOAL ? 'met' : 'NOT met',
	]);
}
const g = results.generate;
if (isError(g) || g.error)
	rows.push(['generation', 'not measured', (g as { error: string }).error, '500 in < 1 s', 'NOT met']);
else {
	const p500 = g.points.find((p) => p.versions === 500)!;
	const p10 = g.points.find((p) => p.versions === 10)!;
	rows.push([
		`generation: ${g.points.map((p) => `${p.versions}→${formatMs(p.medianMs)}`).join(', ')}`,
		`${formatMs(p500.medianMs)} vs ${formatMs(p10.medianMs)}`,
		`${x(p500.medianMs / p10.medianMs)} (500 vs 10)`,
		'500 in < 1 s',
		p500.medianMs < 1000 ? 'met' : 'NOT met',
	]);
	rows.push([
		`  linear fit: ${g.msPerVersion.toFixed(3)} ms/version + ${formatMs(g.fixedMs)} fixed`,
		`R² = ${g.r2.toFixed(4)}`,
		'',
		'linear',
		g.r2 > 0.98 ? 'met' : 'NOT met',
	]);
	rows.push([
		`  CPU time (user+sys): ${g.points.map((p) => `${p.versions}→${formatMs(p.medianCpuMs)}`).join(', ')}`,
		`${formatMs(p500.medianCpuMs)} CPU of ${formatMs(p500.medianMs)} wall`,
		'',
		'',
		p500.medianMs > 1.2 * p500.medianCpuMs ? 'the rest is waiting (fsync per file)' : '',
	]);
}
const s = results.scan;
const SCAN_GOAL = 10;
if (isError(s) || s.error || s.points.length === 0)
	rows.push([
		'P4 stale-module scan',
		'not measured',
		(s as { error?: string }).error ?? '',
		`≥ ${SCAN_GOAL}×`,
		'NOT met',
	]);
else {
	for (const p of s.points) {
		const goal = p.packages === 2000;
		rows.push([
			`${goal ? 'P4 ' : ''}stale-module scan, ${p.packages}-package VDB: Portage vardbapi vs ours (no cache)`,
			`${formatMs(p.portageMs)} vs ${formatMs(p.oursMs)}`,
			`${x(p.ratio)} faster`,
			goal ? `≥ ${SCAN_GOAL}×` : '',
			goal ? (p.ratio >= SCAN_GOAL ? 'met' : 'NOT met') : '',
		]);
		if (p.oursWarmMs !== undefined)
			rows.push([
				`  same, ours with a warm skip cache`,
				`${formatMs(p.portageMs)} vs ${formatMs(p.oursWarmMs)}`,
				`${x(p.portageMs / p.oursWarmMs)} faster`,
				'',
				'',
			]);
	}
	if (!s.points.some((p) => p.packages === 2000))
		rows.push(['P4 stale-module scan, 2000-package VDB', 'not measured', '', `≥ ${SCAN_GOAL}×`, 'NOT met']);
}
const l = results.listing;
const LISTING_GOAL = 3;
if (isError(l)) rows.push(['P5 initramfs listing', 'not measured', l.error, `≥ ${LISTING_GOAL}×`, 'NOT met']);
else {
	const mib = (l.imageBytes / (1 << 20)).toFixed(1);
	rows.push([
		`P5 initramfs listing (${mib} MiB zstd, ${l.entries} entries): lsinitrd vs ours`,
		`${formatMs(l.lsinitrdMs)} vs ${formatMs(l.oursMs)}`,
		`${x(l.speedup)} faster`,
		`≥ ${LISTING_GOAL}×`,
		l.speedup >= LISTING_GOAL ? 'met' : 'NOT met',
	]);
	if (Number.isFinite(l.cpuSpeedup))
		rows.push([
			'  CPU time (user+sys, zstd and cpio included)',
			`${formatMs(l.lsinitrdCpuMs)} vs ${formatMs(l.oursCpuMs)}`,
			`${x(l.cpuSpeedup)} less`,
			`≥ ${LISTING_GOAL}×`,
			l.cpuSpeedup >= LISTING_GOAL ? 'met' : 'NOT met',
		]);
	rows.push([
		'  the whole decompressed image read from a pipe into memory (one bare spawnSync(zstd)), then the same parser',
		`${formatMs(l.lsinitrdMs)} vs ${formatMs(l.systemZstdMs)}`,
		`${x(l.speedupSystemZstd)} faster`,
		'',
		'',
	]);
	if (l.floorMs !== undefined)
		rows.push([
			'  floor: `zstd -dc IMAGE | cpio -t` vs ours (1.00× = nothing beyond decompressing and walking the headers)',
			`${formatMs(l.floorMs)} vs ${formatMs(l.oursMs)}`,
			`${x(l.oursOverFloor)} of the floor`,
			'',
			'',
		]);
}
const d = results.dracutRuns;
if (isError(d)) rows.push(['dracut runs per kernel upgrade', 'not measured', d.error, '1 each', '']);
else {
	for (const p of d) {
		rows.push([
			`P1 dracut runs, real \`emerge -uDN @world\` kernel upgrade, ${p.modulePackages} initramfs module package(s): Gentoo's eclasses vs ours`,
			`${p.gentooBehaviour} vs ${p.coalesced}`,
			`${x(p.gentooBehaviour / Math.max(1, p.coalesced))} fewer`,
			'1',
			p.coalesced === 1 && p.exitCodes.every((c) => c === 0) ? 'met' : 'NOT met',
		]);
		const goal = p.modulePackages >= 3 ? 0.5 : 1.0;
		const ratio = p.oursEmergeMs / p.gentooEmergeMs;
		rows.push([
			`  P1 wall: the same emerge, ours / Gentoo's (real Portage, medians of ${p.oursRuns?.length ?? 1} interleaved runs)`,
			`${formatMs(p.gentooEmergeMs)} vs ${formatMs(p.oursEmergeMs)}`,
			`${x(ratio)} of Gentoo's`,
			`≤ ${goal.toFixed(1)}×`,
			(p.oursRuns?.length ?? 1) >= 3 && ratio <= goal
				? 'met'
				: (p.oursRuns?.length ?? 1) < 3
					? 'NOT met (fewer than 3 runs)'
					: 'NOT met',
		]);
	}
}
const v = results.verify;
if (!v || isError(v)) rows.push(['boot verification', 'not measured', v?.error ?? '', '', '']);
else {
	for (const p of v.points) {
		const what =
			p.image === 'uki'
				? 'UKI under OVMF'
				: p.image === 'uki-secureboot'
					? 'signed UKI under OVMF enforcing Secure Boot (certificate enrolled)'
					: 'kernel + initramfs';
		rows.push([
			`boot verification (${p.accel}), ${what}: image build (install) vs \`verify\` (median of ${v.runs})`,
			`${formatMs(p.buildMs)} vs ${formatMs(p.verifyMs)}`,
			`${x(p.verifyMs / p.buildMs)} of the build`,
			'bounded (verify-timeout)',
			'',
		]);
	}
	if (!v.kvm.usable)
		rows.push(['boot verification (kvm)', 'not measured', `KVM not usable here: ${v.kvm.reason}`, '', '']);
}

const t = results.triggerRuns;
if (isError(t))
	rows.push(['dracut runs, kernel + modules + linux-firmware, 3 kernels', 'not measured', t.error, '1 per kernel', '']);
else {
	for (const p of t) {
		const perKernel = Object.values(p.oursPerKernel);
		const met =
			p.ours === p.kernels &&
			perKernel.every((n) => n === 1) &&
			p.imagesVerified === p.kernels &&
			p.exitCodes.every((c) => c === 0);
		rows.push([
			`dracut runs, kernel upgrade + ${p.modulePackages} initramfs module(s) + linux-firmware, ${p.kernels} kernels: Gentoo (1 + ${p.modulePackages} + ${p.kernels}) vs ours`,
			`${p.gentooBehaviour} vs ${p.ours}`,
			`${x(p.gentooBehaviour / Math.max(1, p.ours))} fewer`,
			'1 per kernel',
			met ? 'met' : 'NOT met',
		]);
		rows.push([
			`  emerge wall time with real dracut; final images read back with the new firmware/modules: ${p.imagesVerified}/${p.kernels}`,
			`${p.seconds.gentoo.toFixed(1)} s vs ${p.seconds.ours.toFixed(1)} s`,
			x(p.seconds.gentoo / p.seconds.ours),
			'',
			'',
		]);
	}
}
const f = results.fleet;
if (isError(f)) rows.push(['fleet: client kernel upgrade, binhost vs source', 'not measured', f.error, '', '']);
else {
	const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
	const source = median(f.source.map((r) => r.seconds));
	const binhost = median(f.binhost.map((r) => r.seconds));
	const counts = (rs: FleetUpgrade['source']) =>
		`dracut ${rs.map((r) => r.dracutRuns).join('/')}, compiler ${rs.map((r) => r.compilerRuns).join('/')}`;
	rows.push([
		`fleet: client \`emerge -uDN @world\` to the next kernel + ${f.modulePackages.length} module packages (1 USE=initramfs): from source vs --getbinpkgonly (median of ${f.source.length})`,
		`${source.toFixed(1)} s vs ${binhost.toFixed(1)} s`,
		`${x(source / binhost)} faster`,
		'no compiler on clients',
		f.binhost.every((r) => r.compilerRuns === 0) ? 'met' : 'NOT met',
	]);
	rows.push([
		`  runs: source ${counts(f.source)}; binhost ${counts(f.binhost)}`,
		'',
		'',
		'1 dracut run each',
		[...f.source, ...f.binhost].every((r) => r.dracutRuns === 1) ? 'met' : 'NOT met',
	]);
	rows.push([
		`  build host, once for the fleet: source + binary packages + generic initramfs (dracut ${f.buildHost.dracutRuns})`,
		`${f.buildHost.seconds.toFixed(1)} s`,
		`${x(f.buildHost.seconds / source)} of a source upgrade`,
		'',
		'',
	]);
}
out(`\n${renderTable(['measurement', 'medians', 'ratio', 'goal', ''], rows)}`);
out(
	`\nload average at start ${results.machine.loadStart.join(', ')}, at end ${results.machine.loadEnd.join(', ')} (1, 5, 15 min; ${cpus().length} CPUs)`,
);
if (!isError(d)) for (const line of renderBreakdown(d)) out(line);

if (!onlyArg && !isError(g) && !g.error) {
	writeFileSync(
		join(TOP, 'bench', 'generate-scaling.svg'),
		renderLinePlot({
			title: `dist-kernel generate: wall time vs kernel versions (median of ${runs.generate})`,
			xLabel: 'kernel versions in the repositories',
			yLabel: 'milliseconds (whole process)',
			series: [
				{ label: 'wall time', colour: '#1f77b4', points: g.points.map((p) => ({ x: p.versions, y: p.medianMs })) },
				{
					label: 'CPU time (user+sys)',
					colour: '#ff7f0e',
					points: g.points.map((p) => ({ x: p.versions, y: p.medianCpuMs })),
				},
			],
		}),
	);
}
if (!onlyArg && !isError(s) && s.points.length > 0) {
	writeFileSync(
		join(TOP, 'bench', 'scan-scaling.svg'),
		renderLinePlot({
			title: `stale-module scan: time vs installed packages (median of ${s.runs})`,
			xLabel: 'packages in /var/db/pkg',
			yLabel: 'milliseconds',
			series: [
				{
					label: "Portage's vardbapi",
					colour: '#d62728',
					points: s.points.map((p) => ({ x: p.packages, y: p.portageMs })),
				},
				{
					label: 'dist-kernel scanModules (no cache)',
					colour: '#2ca02c',
					points: s.points.map((p) => ({ x: p.packages, y: p.oursMs })),
				},
				...(s.points.every((p) => p.oursWarmMs !== undefined)
					? [
							{
								label: 'dist-kernel scanModules (warm skip cache)',
								colour: '#9467bd',
								points: s.points.map((p) => ({ x: p.packages, y: p.oursWarmMs! })),
							},
						]
					: []),
			],
		}),
	);
}
out(
	onlyArg
		? '\nwritten: bench/results-partial.json'
		: '\nwritten: bench/results.json, bench/generate-scaling.svg, bench/scan-scaling.svg',
);
