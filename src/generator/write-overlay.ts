// Puts the rendered overlay on disk: compare first, replace atomically only what changed, remove owned files that
// are no longer produced, never touch a file the generator does not own.
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write';
import { DistKernelError } from '../lib/errors';
import { type OverlayFiles, OWNED_RECORD } from './render-overlay';

export interface OverlayChanges {
	/** Paths (relative) written or, with check, that would be. */
	written: string[];
	/** Owned paths removed (or that would be). */
	removed: string[];
	unchanged: number;
}

/** Reads the record of owned files; an absent record owns nothing. */
export function readOwnedRecord(dir: string): string[] {
	let text: string;
	try {
		text = readFileSync(join(dir, OWNED_RECORD), 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
	// Only plain relative paths are honoured: a tampered record must not make us delete outside the overlay.
	return text
		.split('\n')
		.filter((line) => line !== '' && !line.startsWith('#'))
		.filter(
			(line) => !line.startsWith('/') && !line.split('/').some((part) => part === '..' || part === '.' || part === ''),
		);
}

type Existing = { kind: 'missing' } | { kind: 'file'; data: Buffer } | { kind: 'other' };

function existing(path: string): Existing {
	try {
		const stat = lstatSync(path);
		if (!stat.isFile()) return { kind: 'other' };
		return { kind: 'file', data: readFileSync(path) };
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
			return { kind: 'missing' };
		throw error;
	}
}

/** Computes what differs between `files` and the directory; with `apply`, makes the directory match. */
export function syncOverlay(dir: string, files: OverlayFiles, options: { apply: boolean }): OverlayChanges {
	const owned = new Set(readOwnedRecord(dir));
	const changes: OverlayChanges = { written: [], removed: [], unchanged: 0 };
	const conflicts: string[] = [];

	for (const [path, data] of files) {
		const current = existing(join(dir, path));
		if (current.kind === 'file' && Buffer.from(data).equals(current.data)) {
			changes.unchanged++;
			continue;
		}
		if (current.kind === 'other' || (current.kind === 'file' && !owned.has(path))) conflicts.push(path);
		changes.written.push(path);
	}
	for (const path of owned) {
		if (files.has(path)) continue;
		if (existing(join(dir, path)).kind === 'file') changes.removed.push(path);
	}
	changes.written.sort();
	changes.removed.sort();

	if (!options.apply) return changes;
	if (conflicts.length > 0) {
		throw new DistKernelError('overlay.not-owned', `refusing to replace files dist-kernel does not own: ${dir}`, {
			details: conflicts.map((p) => `  ${p}`).join('\n'),
			hint: `move them away (they are not listed in ${OWNED_RECORD}) and run \`dist-kernel generate\` again`,
		});
	}
	// If we stop half-way, every file on disk must still be ours on the next run: first a record covering the old
	// and the new files (durably), then the files, then the final record.
	const newlyOwned = [...files.keys()].filter((p) => !owned.has(p));
	if (newlyOwned.length > 0 && owned.size > 0) {
		const union = [...new Set([...owned, ...files.keys()])].sort();
		mkdirSync(dirname(join(dir, OWNED_RECORD)), { recursive: true, mode: 0o755 });
		writeFileAtomic(
			join(dir, OWNED_RECORD),
			`# Files written by \`dist-kernel generate\` (update in progress).\n${union.join('\n')}\n`,
			{ mode: 0o644 },
		);
	} else if (owned.size === 0 && files.has(OWNED_RECORD)) {
		// First generation: the final record first, so a half-written overlay is still known to be ours.
		mkdirSync(dirname(join(dir, OWNED_RECORD)), { recursive: true, mode: 0o755 });
		writeFileAtomic(join(dir, OWNED_RECORD), files.get(OWNED_RECORD)!, { mode: 0o644 });
	}
	const order = [
		...changes.written.filter((p) => p !== OWNED_RECORD),
		...changes.written.filter((p) => p === OWNED_RECORD),
	];
	for (const path of order) {
		const target = join(dir, path);
		mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
		// Overlay files can always be generated again: no fsync per file (500 virtuals cost ~0.7 s of fsyncs); the
		// record of owned files stays durable.
		writeFileAtomic(target, files.get(path)!, { mode: 0o644, durable: path === OWNED_RECORD });
	}
	for (const path of changes.removed) {
		unlinkSync(join(dir, path));
		removeEmptyParents(dir, dirname(path));
	}
	return changes;
}

/** Removes now-empty directories between a removed file and the overlay top, never the top itself. */
function removeEmptyParents(top: string, relativeDir: string): void {
	let rel = relativeDir;
	while (rel !== '.' && rel !== '') {
		const full = join(top, rel);
		try {
			if (readdirSync(full).length > 0) return;
			rmdirSync(full);
		} catch {
			return;
		}
		rel = dirname(rel);
	}
}
