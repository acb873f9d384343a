// P1, measured with REAL Portage (test/portage harness): the same `emerge -uDN @world` kernel upgrade with K
// installed initramfs module packages, once under Gentoo's own eclasses (overlay-only wiring: gentoo-kernel-bin and
// the module packages inherit ::gentoo's kernel-install / linux-mod-r1, installkernel[systemd] → kernel-install →
// our initrd plugin) and once under ours (`dist-kernel setup --eclass-overrides`). Both with kernel-install
// layout=bls. dracut runs for the new kernel are counted by a wrapper first on PATH inside the throw-away root.
// Each (K, wiring) runs `runs` times, interleaved (round by round, the wirings' order alternating), on fresh forks
// of one root; the wall time is the median. Every run also records where the time went: each phase of each package
// (an /etc/portage/bashrc hook writes $EPOCHREALTIME before and after every phase function), and inside the runtime
// each timed step of each call ($DIST_KERNEL_TIMINGS, src/lib/timing.ts: start-up, VDB scan, mtimedb read,
// root-critical check, dracut, fsyncs, depmod…).
import { runFlow } from '../../test/portage/flow-helpers';
import type { KernelRelease } from '../../test/portage/kernel-distfiles';
import {
	BOOT_STATES_LOG,
	DRACUT_CONF_FILE,
	DRACUT_LOG,
	fastDracutConf,
	forkPortageRoot,
	type PortageRoot,
} from '../../test/portage/portage-root';
import { firstKernelPortageRoot } from '../../test/portage/prepared-root';
import { INITRAMFS_MODULES } from '../../test/portage/stand-in-gentoo';
import { formatMs, median } from '../lib/stats';

const PHASES_LOG = '/var/log/dk-test/phases.log';
const TIMINGS_LOG = '/var/log/dk-test/runtime-timings.log';
const EMERGE_MS = '/var/log/dk-test/emerge-ms';

/** Time spent in one phase function of one package (ms), in the order they ran. */
export interface PhaseSpan {
	pkg: string;
	phase: string;
	ms: number;
}

/** One timed step of one runtime call (src/lib/timing.ts), with the package whose phase made the call. */
export interface RuntimeStep {
	pid: number;
	label: string;
	ms: number;
	/** CAT/PF and phase running when the step started, if any. */
	during?: string;
}

export interface EmergeRun {
	ms: number;
	dracutRuns: number;
	phases: PhaseSpan[];
	/** Each package's span, in the order they started (absent in runs recorded before 2026-12-06). */
	packages?: PackageSpan[];
	runtime: RuntimeStep[];
}

export interface DracutRunsPoint {
	modulePackages: number;
	/** dracut runs for the new kernel under our eclasses (eclass-overrides); the largest count of the runs. */
	coalesced: number;
	/** The same under Gentoo's eclasses. */
	gentooBehaviour: number;
	/** Median wall time of the upgrade emerge, ours and Gentoo's (ms). */
	oursEmergeMs: number;
	gentooEmergeMs: number;
	/** Every run's wall time (ms), in the order run. */
	oursRuns: number[];
	gentooRuns: number[];
	exitCodes: number[];
	/** Where the time went in the run closest to each median. */
	breakdown: { ours: EmergeRun; gentoo: EmergeRun };
}

const WIRINGS = {
	ours: 'echo "install-backend = kernel-install" >> /etc/dist-kernel/dist-kernel.conf',
	gentoo: [
		'dist-kernel setup --no-eclass-overrides',
		"echo 'sys-kernel/installkernel dracut systemd' > /etc/portage/package.use/installkernel",
		'emerge --quiet-build=y --oneshot sys-kernel/installkernel',
	].join('\n'),
} as const;
type Wiring = keyof typeof WIRINGS;

// Replaces the harness bashrc for the timed emerge (its /boot checksums after every postinst would be measured too):
// one line before and after every phase function, and one when a phase process of Portage's sources it (ebuild.sh
// does for every phase: the first of a package marks its start); no fork ($EPOCHREALTIME is bash's own clock).
const PHASE_BASHRC = `# Bench hook: the time of every phase of every package.
dk_bench_mark() { printf '%s %s %s %s\\n' "\${EPOCHREALTIME}" "$1" "\${CATEGORY}/\${PF}" "\${EBUILD_PHASE_FUNC:-\${EBUILD_PHASE}}" >> ${PHASES_LOG}; }
dk_bench_mark sourced
for dk_phase in pkg_setup src_unpack src_prepare src_configure src_compile src_install pkg_preinst pkg_postinst pkg_prerm pkg_postrm pkg_config; do
	eval "pre_\${dk_phase}() { dk_bench_mark start; }; post_\${dk_phase}() { dk_bench_mark end; }"
done
unset dk_phase
`;

/** One package's whole time in the emerge: from its first phase process to the end of its last phase function. */
export interface PackageSpan {
	pkg: string;
	/** Epoch ms. */
	from: number;
	to: number;
}

/**
 * Pairs the bashrc's start/end lines into spans; also returns the spans' absolute intervals for attribution, and
 * each package's first-to-last span (what Portage spent on it: phase processes, QA, merging its files, VDB).
 */
export function parsePhases(text: string): {
	spans: PhaseSpan[];
	intervals: { from: number; to: number; what: string }[];
	packages: PackageSpan[];
} {
	const open = new Map<string, number>();
	const spans: PhaseSpan[] = [];
	const intervals: { from: number; to: number; what: string }[] = [];
	const packages = new Map<string, PackageSpan>();
	for (const line of text.split('\n')) {
		const [time, mark, pkg, phase] = line.split(' ');
		if (!time || !pkg || !phase) continue;
		const at = Number(time) * 1000;
		const seen = packages.get(pkg);
		if (seen) seen.to = Math.max(seen.to, at);
		else packages.set(pkg, { pkg, from: at, to: at });
		const key = `${pkg} ${phase}`;
		if (mark === 'start') open.set(key, at);
		else if (mark === 'end' && open.has(key)) {
			const from = open.get(key)!;
			open.delete(key);
			spans.push({ pkg, phase, ms: at - from });
			intervals.push({ from, to: at, what: key });
		}
	}
	return { spans, intervals, packages: [...packages.values()] };
}

export function parseRuntimeTimings(
	text: string,
	intervals: { from: number; to: number; what: string }[],
): RuntimeStep[] {
	const steps: RuntimeStep[] = [];
	for (const line of text.split('\n')) {
		const [start, pid, label, ms] = line.split(' ');
		if (!start || !pid || !label || !ms) continue;
		const at = Number(start);
		const during = intervals.find((i) => i.from <= at && at <= i.to)?.what;
		steps.push({ pid: Number(pid), label, ms: Number(ms), ...(during ? { during } : {}) });
	}
	return steps;
}

async function upgrade(base: PortageRoot, k: number, wiring: Wiring, run: number): Promise<EmergeRun> {
	const root = forkPortageRoot(base);
	try {
		const [{ pv: pv1 }, { kv: kv2 }] = root.kernels as [KernelRelease, KernelRelease];
		const dropped = INITRAMFS_MODULES.slice(k).map((m) => m.cp);
		root.write('/etc/portage/bench-bashrc', PHASE_BASHRC);
		await runFlow(
			root,
			`bench-${wiring}-k${k}-run${run}`,
			[
				dropped.length > 0 ? `emerge --unmerge ${dropped.join(' ')}` : '',
				WIRINGS[wiring],
				'mkdir -p /etc/kernel',
				'echo layout=bls > /etc/kernel/install.conf',
				'rm -f /boot/vmlinuz-* /boot/initramfs-* /boot/System.map-* /boot/config-*',
				`emerge --config =sys-kernel/gentoo-kernel-bin-${pv1}`,
				'rm -f /etc/portage/package.mask/dk-test-upgrade',
				`: > ${DRACUT_LOG}`,
				`: > ${BOOT_STATES_LOG}`,
				// timed from here: phase marks and the runtime's own timing lines, nothing else added
				'cp /etc/portage/bench-bashrc /etc/portage/bashrc',
				`: > ${PHASES_LOG}`,
				`: > ${TIMINGS_LOG}`,
				`export DIST_KERNEL_TIMINGS=${TIMINGS_LOG}`,
				'start=$(date +%s%N)',
				'emerge --quiet-build=y --update --deep --newuse @world',
				`echo "$(( ($(date +%s%N) - start) / 1000000 ))" > ${EMERGE_MS}`,
			].join('\n'),
		);
		const { spans, intervals, packages } = parsePhases(root.exists(PHASES_LOG) ? root.read(PHASES_LOG) : '');
		return {
			ms: Number(root.read(EMERGE_MS).trim()),
			dracutRuns: root.dracutRuns().filter((kv) => kv === kv2).length,
			phases: spans,
			packages,
			runtime: parseRuntimeTimings(root.exists(TIMINGS_LOG) ? root.read(TIMINGS_LOG) : '', intervals),
		};
	} finally {
		if (!process.env['DK_TEST_KEEP_ROOTS']) root.cleanup();
	}
}

function closestToMedian(runs: EmergeRun[]): EmergeRun {
	const m = median(runs.map((r) => r.ms));
	return [...runs].sort((a, b) => Math.abs(a.ms - m) - Math.abs(b.ms - m))[0]!;
}

export async function measureDracutRuns(bin: string, ks: number[], runs = 3): Promise<DracutRunsPoint[]> {
	// `dist-kernel setup` runs this bundle before the runtime package (which ships the same bundle) is merged
	process.env['DIST_KERNEL_TEST_BIN'] = bin;
	// the first kernel, hello-kmod and the three initramfs module packages (the state flows.test.ts starts from)
	const base = await firstKernelPortageRoot();
	// dracut's own gzip (-9), as every bench run so far: the tests' gzip -1 would make each image 3.5 s cheaper
	base.write(DRACUT_CONF_FILE, fastDracutConf('gzip'));
	try {
		const results = new Map<string, EmergeRun[]>();
		for (let run = 0; run < runs; run += 1) {
			for (const k of ks) {
				const order: Wiring[] = (run + k) % 2 === 0 ? ['ours', 'gentoo'] : ['gentoo', 'ours'];
				for (const wiring of order) {
					const key = `${wiring} ${k}`;
					const result = await upgrade(base, k, wiring, run);
					process.stdout.write(
						`  K=${k} ${wiring} run ${run + 1}/${runs}: ${formatMs(result.ms)}, dracut ${result.dracutRuns}\n`,
					);
					results.set(key, [...(results.get(key) ?? []), result]);
				}
			}
		}
		return ks.map((k) => {
			const ours = results.get(`ours ${k}`)!;
			const gentoo = results.get(`gentoo ${k}`)!;
			return {
				modulePackages: k,
				coalesced: Math.max(...ours.map((r) => r.dracutRuns)),
				gentooBehaviour: Math.max(...gentoo.map((r) => r.dracutRuns)),
				oursEmergeMs: median(ours.map((r) => r.ms)),
				gentooEmergeMs: median(gentoo.map((r) => r.ms)),
				oursRuns: ours.map((r) => r.ms),
				gentooRuns: gentoo.map((r) => r.ms),
				exitCodes: [0, 0],
				breakdown: { ours: closestToMedian(ours), gentoo: closestToMedian(gentoo) },
			};
		});
	} finally {
		if (!process.env['DK_TEST_KEEP_ROOTS']) base.cleanup();
	}
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Time covered by at least one span (a replaced package's unmerge runs inside its successor's span). */
function unionMs(spans: readonly { from: number; to: number }[]): number {
	let total = 0;
	let end = Number.NEGATIVE_INFINITY;
	for (const { from, to } of [...spans].sort((a, b) => a.from - b.from)) {
		if (to <= end) continue;
		total += to - Math.max(from, end);
		end = to;
	}
	return total;
}

/**
 * Per package: the sum of its phase functions' time (and the biggest phases) and its whole span in the emerge;
 * per runtime step label: total time.
 */
export function summarise(run: EmergeRun): {
	packages: { pkg: string; ms: number; spanMs?: number; phases: string }[];
	runtime: { label: string; calls: number; ms: number }[];
	phasesMs: number;
	/** Time inside at least one package's span: the rest of the emerge is Portage between packages (resolution, VDB…). */
	packagesMs?: number;
} {
	const byPkg = new Map<string, PhaseSpan[]>();
	for (const span of run.phases) byPkg.set(span.pkg, [...(byPkg.get(span.pkg) ?? []), span]);
	const spanOf = new Map((run.packages ?? []).map((p) => [p.pkg, p.to - p.from]));
	const packages = [...byPkg].map(([pkg, spans]) => {
		const spanMs = spanOf.get(pkg);
		return {
			pkg,
			ms: spans.reduce((t, p) => t + p.ms, 0),
			...(spanMs !== undefined ? { spanMs } : {}),
			phases: spans
				.filter((p) => p.ms >= 100)
				.map((p) => `${p.phase} ${s(p.ms)}`)
				.join(', '),
		};
	});
	const byLabel = new Map<string, { calls: number; ms: number }>();
	for (const step of run.runtime) {
		const label = step.label.startsWith('start-up:') ? 'start-up' : step.label;
		const entry = byLabel.get(label) ?? { calls: 0, ms: 0 };
		byLabel.set(label, { calls: entry.calls + 1, ms: entry.ms + step.ms });
	}
	const runtime = [...byLabel].map(([label, v]) => ({ label, ...v })).sort((a, b) => b.ms - a.ms);
	return {
		packages,
		runtime,
		phasesMs: packages.reduce((t, p) => t + p.ms, 0),
		...(run.packages ? { packagesMs: unionMs(run.packages) } : {}),
	};
}

/** Lines for the bench's output: where each wiring's median run spent its time, per K. */
export function renderBreakdown(points: DracutRunsPoint[]): string[] {
	const lines: string[] = [];
	for (const p of points) {
		for (const wiring of ['ours', 'gentoo'] as const) {
			const run = p.breakdown[wiring];
			const sum = summarise(run);
			const spans =
				sum.packagesMs !== undefined
					? `; the packages from their first phase process to their last phase function ${s(sum.packagesMs)} (the rest is Portage before, between and after them: dependency resolution, VDB, clean-up)`
					: ' (the rest is Portage: dependency resolution, fetch/unpack checks, merging files, VDB)';
			lines.push(
				'',
				`P1 breakdown, K=${p.modulePackages}, ${wiring === 'ours' ? 'ours' : "Gentoo's eclasses"}: emerge ${s(run.ms)}, of it in phase functions ${s(sum.phasesMs)}${spans}`,
			);
			for (const pkg of sum.packages) {
				const whole = pkg.spanMs !== undefined ? `${s(pkg.spanMs)} in all, ${s(pkg.ms)} in phase functions` : s(pkg.ms);
				lines.push(`  ${pkg.pkg}: ${whole}${pkg.phases ? ` (${pkg.phases})` : ''}`);
			}
			if (sum.runtime.length > 0) {
				lines.push(
					`  runtime steps (all calls): ${sum.runtime.map((r) => `${r.label} ${s(r.ms)}${r.calls > 1 ? ` ×${r.calls}` : ''}`).join(', ')}`,
				);
			}
		}
	}
	return lines;
}
