// Real ENOSPC: /boot of a copy of the root becomes a small tmpfs or loop-mounted ext2/vfat holding the previous set,
// filled until only a given amount is free; then the command runs. It must either succeed and leave the new set,
// or fail with exit 1 and a message about space, leaving /boot exactly as it was (no temp or backup files).
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotBoot } from '../lib/boot-state';
import { cloneRoot } from '../lib/fault-root';
import {
	type BootFs,
	fillUntilFree,
	freeBytes,
	kernelSupports,
	mountSmallFs,
	unmount,
	unmountAll,
} from '../lib/mounts';
import { outputTail, runDistKernel } from '../lib/run-dist-kernel';
import { diffSnapshots, type Snapshot, sameSnapshot, tempFiles } from '../lib/tree-snapshot';
import type { FaultRow, Progress } from './fault-result';

export interface NoSpaceOptions {
	bin: string;
	work: string;
	/** Root with the previous set installed; never modified. */
	template: string;
	args: string[];
	label: string;
	fsKinds: BootFs[];
	/** Free space left before the run, as fractions of what the new set adds (≥ 3 should succeed). */
	levels: number[];
	progress?: Progress;
}

function bytesOf(dir: string): number {
	let total = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
		if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
	}
	return total;
}

function mib(bytes: number): string {
	return `${(bytes / (1 << 20)).toFixed(2)} MiB`;
}

export async function noSpace(options: NoSpaceOptions): Promise<FaultRow[]> {
	const progress = options.progress ?? (() => {});
	const root = join(options.work, 'root');
	mkdirSync(options.work, { recursive: true });

	cloneRoot(options.template, root);
	const previous = snapshotBoot(root);
	const previousBytes = bytesOf(join(root, 'boot'));
	const reference = await runDistKernel({ bin: options.bin, root, args: options.args });
	if (reference.code !== 0) {
		return [
			{
				kind: 'ENOSPC',
				subject: options.label,
				tried: 0,
				survived: 0,
				notes: '',
				skipped: `reference run failed: ${outputTail(reference)}`,
			},
		];
	}
	const next = snapshotBoot(root);
	const added = Math.max(1, bytesOf(join(root, 'boot')) - previousBytes);
	progress(`ENOSPC ${options.label}: previous set ${mib(previousBytes)}, the new set adds ${mib(added)}`);

	const rows: FaultRow[] = [];
	for (const kind of options.fsKinds) {
		if (!kernelSupports(kind)) {
			rows.push({
				kind: 'ENOSPC',
				subject: `${options.label} on ${kind}`,
				tried: 0,
				survived: 0,
				notes: '',
				skipped: `the running kernel cannot mount ${kind} (not in /proc/filesystems)`,
			});
			continue;
		}
		let tried = 0;
		let survived = 0;
		const notes: string[] = [];
		const outcomes: string[] = [];
		for (const level of options.levels) {
			const leaveFree = Math.floor(added * level);
			cloneRoot(options.template, root);
			const boot = join(root, 'boot');
			renameSync(boot, join(root, 'boot.orig'));
			try {
				// Room for the previous set, the requested free space and the filesystem's own overhead.
				mountSmallFs(kind, boot, previousBytes + leaveFree + 8 * (1 << 20), options.work);
				cpSync(join(root, 'boot.orig'), boot, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
				fillUntilFree(boot, leaveFree);
				const free = freeBytes(boot);
				const before = snapshotBoot(root);
				const result = await runDistKernel({ bin: options.bin, root, args: options.args });
				const after = snapshotBoot(root);
				tried += 1;
				// What the harness itself put there (the filler, ext2's lost+found/) belongs to the expected new state too.
				const expectedNew: Snapshot = new Map(next);
				for (const [path, sum] of before) if (!previous.has(path)) expectedNew.set(path, sum);
				const leftovers = tempFiles(after);
				const text = `${result.stderr}${result.stdout}`;
				let ok: boolean;
				let what: string;
				if (result.code === 0) {
					ok = sameSnapshot(after, expectedNew);
					what = ok
						? 'succeeded, new set complete'
						: `succeeded but /boot differs: ${diffSnapshots(expectedNew, after, 4).join(', ')}`;
				} else {
					const clear = result.code === 1 && /space|ENOSPC/i.test(text) && !/internal error/i.test(text);
					const intact = sameSnapshot(after, before);
					ok = clear && intact && leftovers.length === 0;
					what = [
						clear ? 'clear error' : `UNCLEAR ERROR (exit ${result.code}: ${outputTail(result, 2)})`,
						intact ? '/boot unchanged' : `/boot CHANGED: ${diffSnapshots(before, after, 4).join(', ')}`,
					].join(', ');
				}
				if (ok) survived += 1;
				outcomes.push(`${level}× → ${ok ? 'ok' : 'FAIL'}`);
				if (!ok) notes.push(`free ${mib(free)}: ${what}`);
				progress(`  ${kind} free ${mib(free)} (${level}× the new set): exit ${result.code}, ${what}`);
			} catch (error) {
				tried += 1;
				notes.push(`free ${level}×: harness error ${String(error).split('\n')[0]}`);
				progress(`  ${kind} ${level}×: harness error ${String(error)}`);
			} finally {
				unmount(boot);
			}
		}
		rows.push({
			kind: 'ENOSPC',
			subject: `${options.label} on ${kind}`,
			tried,
			survived,
			notes: [outcomes.join(', '), ...notes.slice(0, 3)].join('; '),
		});
	}
	unmountAll();
	rmSync(root, { recursive: true, force: true });
	return rows;
}
