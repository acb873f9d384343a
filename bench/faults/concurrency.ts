// N runs of install/initramfs started at once on the same root: the lock must serialize them (no two dracut runs
// at the same time, seen through a counting dracut), every run must succeed, and /boot must end as after one run.
import { join } from 'node:path';
import { snapshotBoot, withoutOldCopies } from '../lib/boot-state';
import { createDracutCounter, overlappingRuns } from '../lib/dracut-counter';
import { cloneRoot } from '../lib/fault-root';
import { outputTail, runDistKernel } from '../lib/run-dist-kernel';
import { diffSnapshots, sameSnapshot, tempFiles } from '../lib/tree-snapshot';
import type { FaultRow, Progress } from './fault-result';

export interface ConcurrencyOptions {
	bin: string;
	work: string;
	template: string;
	/** Commands started together (e.g. 4× install KV, 4× initramfs KV). */
	commands: string[][];
	progress?: Progress;
}

export async function concurrentRuns(options: ConcurrencyOptions): Promise<FaultRow> {
	const root = join(options.work, 'root');
	const counter = createDracutCounter(join(options.work, 'counter'));
	cloneRoot(options.template, root);
	const first = options.commands[0]!;
	const reference = await runDistKernel({ bin: options.bin, root, args: first, pathPrefix: counter.pathDir });
	const subject = `${options.commands.length} at once: ${[...new Set(options.commands.map((c) => c[0]))].join(' + ')}`;
	if (reference.code !== 0)
		return {
			kind: 'concurrency',
			subject,
			tried: 0,
			survived: 0,
			notes: '',
			skipped: `reference run failed: ${outputTail(reference)}`,
		};
	const expected = snapshotBoot(root);

	cloneRoot(options.template, root);
	counter.reset();
	const start = performance.now();
	const results = await Promise.all(
		options.commands.map((args) => runDistKernel({ bin: options.bin, root, args, pathPrefix: counter.pathDir })),
	);
	const wall = performance.now() - start;
	const after = snapshotBoot(root);
	const runs = counter.runs();
	const overlaps = overlappingRuns(runs);
	const failedRuns = results.filter((r) => r.code !== 0);
	// Later runs reinstall the same version: their .old copies (installkernel's convention) are not part of the set.
	const finalOk = sameSnapshot(withoutOldCopies(after), withoutOldCopies(expected)) && tempFiles(after).length === 0;
	const waited = results.filter((r) => /wait|lock/i.test(r.stderr)).length;
	const survived = results.filter((r) => r.code === 0).length;
	const ok = failedRuns.length === 0 && overlaps === 0 && finalOk;
	const notes = [
		`${runs.length} dracut runs, ${overlaps} overlapping; ${waited} run(s) reported waiting for the lock; final /boot ${finalOk ? 'correct' : `WRONG: ${diffSnapshots(expected, after, 4).join(', ')}`}; ${(wall / 1000).toFixed(1)} s`,
	];
	if (failedRuns.length > 0) notes.push(`${failedRuns.length} FAILED: ${outputTail(failedRuns[0]!, 2)}`);
	options.progress?.(`concurrency: ${notes.join('; ')}`);
	// A run counts as survived when it succeeded; the whole row fails if anything overlapped or /boot is wrong.
	return {
		kind: 'concurrency',
		subject,
		tried: results.length,
		survived: ok ? survived : Math.min(survived, results.length - 1),
		notes: notes.join('; '),
	};
}
