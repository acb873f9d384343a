// SIGKILL at every checkpoint of a command (src/lib/checkpoint.ts): a traced reference run enumerates the points,
// then for each point a fresh copy of the same root is run with DIST_KERNEL_KILL_AT=N. After the kill (and after
// any child it left behind, such as dracut, has ended) the boot directories must hold the previous complete set
// or the new complete one; then a plain re-run must succeed and leave exactly the new set, without leftovers.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { acceptable, type BootVerdict, judgeBoot, snapshotBoot, withoutOldCopies } from '../lib/boot-state';
import { cloneRoot } from '../lib/fault-root';
import { outputTail, runDistKernel } from '../lib/run-dist-kernel';
import { waitGroupGone } from '../lib/run-process';
import { diffSnapshots, sameSnapshot, tempFiles, withoutTempFiles } from '../lib/tree-snapshot';
import type { FaultRow, Progress } from './fault-result';

export interface KillScenario {
	/** Row label, e.g. "install (upgrade 6.1.0-56 → 6.1.0-57)". */
	name: string;
	/** A root holding the previous complete set; never modified. */
	template: string;
	/** Command and arguments after `--root R`. */
	args: string[];
	env?: NodeJS.ProcessEnv;
}

export interface KillOptions {
	bin: string;
	/** Scratch directory: each run uses `${work}/root`, recreated from the template. */
	work: string;
	/** At most this many checkpoints, spread evenly (all when undefined). */
	maxPoints?: number;
	/** Kill this many ms after dracut started (one extra run each). */
	dracutDelaysMs?: number[];
	progress?: Progress;
}

export interface Checkpoint {
	index: number;
	name: string;
}

export function parseTrace(stderr: string): Checkpoint[] {
	const points: Checkpoint[] = [];
	for (const line of stderr.split('\n')) {
		const match = /^checkpoint (\d+) (.*)$/.exec(line);
		if (match) points.push({ index: Number(match[1]), name: match[2]! });
	}
	return points;
}

function spread<T>(items: readonly T[], max: number | undefined): T[] {
	if (max === undefined || items.length <= max) return [...items];
	const out: T[] = [];
	for (let i = 0; i < max; i += 1) out.push(items[Math.round((i * (items.length - 1)) / Math.max(1, max - 1))]!);
	return [...new Set(out)];
}

/** Shows a checkpoint name with the root's path removed. */
function showPoint(name: string, root: string): string {
	return name.split(root).join('');
}

export interface KillOutcome {
	point: string;
	killed: boolean;
	verdict?: BootVerdict;
	rerunOk: boolean;
	note: string;
}

export async function killAtCheckpoints(
	scenario: KillScenario,
	options: KillOptions,
): Promise<{ row: FaultRow; outcomes: KillOutcome[] }> {
	const root = join(options.work, 'root');
	const progress = options.progress ?? (() => {});
	const run = (env: NodeJS.ProcessEnv = {}) => {
		let pgid = 0;
		return runDistKernel(
			{ bin: options.bin, root, args: scenario.args, env: { ...scenario.env, ...env } },
			{ detached: true, onSpawn: (pid) => (pgid = pid) },
		).then(async (result) => ({ result, leftover: pgid ? await waitGroupGone(pgid, 180_000) : 'gone' }));
	};

	cloneRoot(scenario.template, root);
	const previous = snapshotBoot(root);
	const reference = await run({ DIST_KERNEL_CHECKPOINT_TRACE: '1' });
	if (reference.result.code !== 0) {
		return {
			row: {
				kind: 'SIGKILL',
				subject: scenario.name,
				tried: 0,
				survived: 0,
				notes: '',
				skipped: `reference run failed (exit ${reference.result.code}): ${outputTail(reference.result)}`,
			},
			outcomes: [],
		};
	}
	const next = snapshotBoot(root);
	const trace = parseTrace(reference.result.stderr);
	progress(`SIGKILL ${scenario.name}: ${trace.length} checkpoints in the reference run`);
	const plan: { index: number; delay?: number; label: string }[] = spread(trace, options.maxPoints).map((p) => ({
		index: p.index,
		label: showPoint(p.name, root),
	}));
	const dracutStart = trace.find((p) => /^exec\.start \S*dracut$/.test(p.name));
	if (dracutStart)
		for (const delay of options.dracutDelaysMs ?? [])
			plan.push({ index: dracutStart.index, delay, label: `${delay} ms into dracut` });

	const outcomes: KillOutcome[] = [];
	for (const step of plan) {
		cloneRoot(scenario.template, root);
		const env: NodeJS.ProcessEnv = { DIST_KERNEL_KILL_AT: String(step.index) };
		if (step.delay !== undefined) env['DIST_KERNEL_KILL_DELAY_MS'] = String(step.delay);
		const killed = await run(env);
		if (killed.result.signal !== 'SIGKILL') {
			outcomes.push({
				point: `#${step.index} ${step.label}`,
				killed: false,
				rerunOk: false,
				note: `not killed (exit ${killed.result.code}): ${outputTail(killed.result, 1)}`,
			});
			progress(`  #${step.index} ${step.label}: NOT KILLED (exit ${killed.result.code})`);
			continue;
		}
		const judgement = judgeBoot(previous, next, snapshotBoot(root));
		const rerun = await run();
		const after = snapshotBoot(root);
		// A re-run over a complete new set is a same-version reinstall: its .old copies are installkernel's convention.
		const rerunMatches = sameSnapshot(
			withoutOldCopies(withoutTempFiles(after)),
			withoutOldCopies(withoutTempFiles(next)),
		);
		const rerunLeftovers = tempFiles(after);
		const rerunOk = rerun.result.code === 0 && rerunMatches && rerunLeftovers.length === 0;
		const notes: string[] = [];
		if (killed.leftover === 'killed') notes.push('a child outlived the kill for 180 s');
		if (judgement.leftovers.length > 0) notes.push(`${judgement.leftovers.length} temp/backup file(s) after kill`);
		if (!acceptable(judgement.verdict)) notes.push(`boot after kill: ${judgement.diff.join(', ')}`);
		if (rerun.result.code !== 0) notes.push(`re-run exit ${rerun.result.code}: ${outputTail(rerun.result, 2)}`);
		else if (!rerunMatches)
			notes.push(`re-run left a different set: ${diffSnapshots(next, withoutTempFiles(after)).join(', ')}`);
		if (rerunLeftovers.length > 0) notes.push(`re-run left ${rerunLeftovers.join(', ')}`);
		outcomes.push({
			point: `#${step.index} ${step.label}`,
			killed: true,
			verdict: judgement.verdict,
			rerunOk,
			note: notes.join('; '),
		});
		progress(
			`  #${step.index} ${step.label}: ${judgement.verdict}${rerunOk ? ', re-run ok' : ', RE-RUN FAILED'}${notes.length ? ` (${notes.join('; ')})` : ''}`,
		);
	}
	rmSync(root, { recursive: true, force: true });

	const tried = outcomes.filter((o) => o.killed);
	const survived = tried.filter((o) => o.verdict !== undefined && acceptable(o.verdict) && o.rerunOk);
	const histogram = new Map<string, number>();
	for (const o of tried) histogram.set(o.verdict ?? '?', (histogram.get(o.verdict ?? '?') ?? 0) + 1);
	const notes = [
		`${trace.length} checkpoints traced; after kill: ${[...histogram].map(([k, v]) => `${v} ${k}`).join(', ')}`,
	];
	const notKilled = outcomes.filter((o) => !o.killed).length;
	if (notKilled > 0) notes.push(`${notKilled} point(s) not reached when re-run`);
	const failed = tried.filter((o) => !survived.includes(o));
	if (failed.length > 0)
		notes.push(
			`FAILED at ${failed
				.slice(0, 3)
				.map((o) => `${o.point} (${o.verdict}; ${o.note})`)
				.join(' | ')}`,
		);
	return {
		row: {
			kind: 'SIGKILL',
			subject: scenario.name,
			tried: tried.length,
			survived: survived.length,
			notes: notes.join('; '),
		},
		outcomes,
	};
}
