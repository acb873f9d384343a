// Judges the boot directories after a fault: the previous complete set, the new complete set, or damage.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { diffSnapshots, type Snapshot, sameSnapshot, snapshotTree, tempFiles, withoutTempFiles } from './tree-snapshot';

/** Where boot files live in a target root. */
export const BOOT_DIRS = ['boot', 'efi'];

export function snapshotBoot(root: string): Snapshot {
	const all: Snapshot = new Map();
	for (const dir of BOOT_DIRS) {
		if (!existsSync(join(root, dir))) continue;
		for (const [path, sum] of snapshotTree(join(root, dir))) all.set(`/${dir}/${path}`, sum);
	}
	return all;
}

/** installkernel's same-version backups (vmlinuz-KV.old, <id>-KV-old.efi): what a reinstall keeps, not part of a set. */
const OLD_COPY_RE = /(?:\.old|-old\.efi)$/;

export function withoutOldCopies(snapshot: Snapshot): Snapshot {
	return new Map([...snapshot].filter(([path]) => !OLD_COPY_RE.test(path)));
}

/** A file that makes a boot entry appear: kernel image, UKI, loader entry. */
const ENTRY_FILE_RE =
	/(?:\/(?:vmlinuz|vmlinux|kernel|bzImage)(?:-[^/]*)?$|\.efi$|\/loader\/entries\/[^/]+\.conf$|\/linux$)/;

/** Files a boot needs: the entry files above plus initramfs images. System.map and config are not needed to boot. */
const ESSENTIAL_FILE_RE = new RegExp(`${ENTRY_FILE_RE.source}|/(?:initramfs|initrd)[^/]*$|\\.img$`);

export type BootVerdict =
	| 'previous'
	| 'previous + inert new files'
	| 'previous + complete new entry (aux files pending)'
	| 'new'
	| 'mixed'
	| 'damaged';

export interface BootJudgement {
	verdict: BootVerdict;
	leftovers: string[];
	diff: string[];
}

/**
 * previous / new: exactly one complete set. "previous + inert new files": the previous set intact and only files
 * that cannot form a boot entry on their own were added (an initramfs without its kernel). "previous + complete
 * new entry": the previous set intact and the new kernel with its initramfs complete; only System.map/config
 * missing. mixed: e.g. a new kernel image without its initramfs, or new and old files of one entry. damaged: a file
 * whose bytes match neither set (truncated, half-written).
 */
export function judgeBoot(previous: Snapshot, next: Snapshot, now: Snapshot): BootJudgement {
	const leftovers = tempFiles(now);
	const state = withoutTempFiles(now);
	if (sameSnapshot(state, withoutTempFiles(previous))) return { verdict: 'previous', leftovers, diff: [] };
	if (sameSnapshot(state, withoutTempFiles(next))) return { verdict: 'new', leftovers, diff: [] };
	// Every previous file intact, and what was added is byte-identical to the new set and cannot boot on its own.
	let damaged = false;
	let previousIntact = true;
	let extrasInert = true;
	for (const [path, sum] of state) {
		const before = previous.get(path);
		const after = next.get(path);
		if (sum !== before && sum !== after) damaged = true;
		if (before === undefined && ENTRY_FILE_RE.test(path)) extrasInert = false;
	}
	for (const [path, sum] of previous) if (state.get(path) !== sum) previousIntact = false;
	const diff = diffSnapshots(previous, state);
	if (damaged) return { verdict: 'damaged', leftovers, diff };
	if (previousIntact && extrasInert) return { verdict: 'previous + inert new files', leftovers, diff };
	const essentialComplete = [...next].every(
		([path, sum]) => previous.has(path) || !ESSENTIAL_FILE_RE.test(path) || state.get(path) === sum,
	);
	if (previousIntact && essentialComplete)
		return { verdict: 'previous + complete new entry (aux files pending)', leftovers, diff };
	return { verdict: 'mixed', leftovers, diff };
}

export function acceptable(verdict: BootVerdict): boolean {
	return verdict !== 'mixed' && verdict !== 'damaged';
}
