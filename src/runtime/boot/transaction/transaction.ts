// A set of boot files replaced as a unit. Before anything changes, a journal under /var/lib/dist-kernel records
// what will be touched; each previous file is kept as a backup (hard link, or rename where the filesystem has no
// links, e.g. vfat); after the whole new set is written the backups go. On failure — or on the next run after a
// kill -9 — an unfinished set is rolled back, so /boot holds the previous complete set or the new one, never a mix.

import { randomBytes } from 'node:crypto';
import {
	chmodSync,
	existsSync,
	linkSync,
	lstatSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	symlinkSync,
	unlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncDir, type StagedFile, stageFile, writeFileAtomic } from '../../../lib/atomic-write';
import { checkpoint } from '../../../lib/checkpoint';
import { DistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import { statePath } from '../../state/json-record';
import { assertNotSymlink } from './target-dir';

interface JournalEntry {
	path: string;
	/** What was there before: a file or directory (kept at `backup`), or nothing. */
	kind: 'file' | 'dir' | 'absent';
	backup: string | null;
}

interface Journal {
	version: 1;
	label: string;
	state: 'writing' | 'committed';
	entries: JournalEntry[];
}

export const JOURNAL_PATH = statePath('boot-transaction.json');
const TEMP_RE = /^\..+\.dk-[0-9a-f]{8}\.tmp$/;
/** link(2) errors of filesystems without hard links (vfat, some FUSE): the backup is made by rename instead. */
const LINKLESS_ERRORS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EXDEV']);

export function backupPathFor(path: string): string {
	return join(dirname(path), `.${basename(path)}.dk-backup`);
}

function removePath(path: string): void {
	rmSync(path, { recursive: true, force: true });
}

function kindOf(path: string): 'file' | 'dir' | 'absent' {
	try {
		const stats = lstatSync(path);
		return stats.isDirectory() ? 'dir' : 'file';
	} catch {
		return 'absent';
	}
}

function writeJournal(file: string, journal: Journal): void {
	mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
	writeFileAtomic(file, `${JSON.stringify(journal, null, '\t')}\n`, { mode: 0o600 });
}

function removeTempFiles(dirs: Iterable<string>): void {
	for (const dir of dirs) {
		let names: string[] = [];
		try {
			names = readdirSync(dir);
		} catch {
			continue;
		}
		for (const name of names) if (TEMP_RE.test(name)) removePath(join(dir, name));
	}
}

/** Undo an unfinished set: every touched path gets its previous content back (or disappears if it was new). */
function rollBackEntries(entries: readonly JournalEntry[]): void {
	for (const entry of [...entries].reverse()) {
		if (entry.backup && existsSync(entry.backup)) {
			removePath(entry.path);
			renameSync(entry.backup, entry.path);
		} else if (entry.kind === 'absent') {
			removePath(entry.path);
		}
		// A file or directory whose backup was never made is still the previous one.
		fsyncDir(dirname(entry.path));
	}
	removeTempFiles(new Set(entries.map((e) => dirname(e.path))));
}

function dropBackups(entries: readonly JournalEntry[]): void {
	for (const entry of entries) if (entry.backup) removePath(entry.backup);
	removeTempFiles(new Set(entries.map((e) => dirname(e.path))));
}

export class BootTransaction {
	private readonly entries: JournalEntry[] = [];
	private finished = false;

	private constructor(
		private readonly ctx: Pick<RuntimeContext, 'root' | 'dryRun' | 'logger'>,
		private readonly label: string,
		private readonly journalFile: string,
	) {}

	static begin(ctx: Pick<RuntimeContext, 'root' | 'dryRun' | 'logger'>, label: string): BootTransaction {
		const transaction = new BootTransaction(ctx, label, systemPath(ctx, JOURNAL_PATH));
		if (!ctx.dryRun) writeJournal(transaction.journalFile, transaction.journal('writing'));
		return transaction;
	}

	private journal(state: Journal['state']): Journal {
		return { version: 1, label: this.label, state, entries: this.entries };
	}

	/** Keep what is at `path` (file or directory) as a backup before something replaces it. Idempotent per path. */
	protect(path: string): void {
		for (const pending of this.protectAll([path])) this.moveAside(pending);
	}

	/**
	 * Keep the previous content of every path, recorded by ONE journal write: afterwards the new files can be renamed
	 * in back to back, with no journal write between two renames. Backups are hard links; a path that cannot be
	 * linked (a directory, or vfat and other filesystems without links) is returned: the caller moves it aside with
	 * moveAside() right before replacing it, so the previous file disappears only for the moment of its own swap.
	 */
	private protectAll(paths: readonly string[], options: { allowSymlink?: boolean } = {}): string[] {
		const added: JournalEntry[] = [];
		for (const path of paths) {
			if (this.entries.some((e) => e.path === path) || added.some((e) => e.path === path)) continue;
			if (!options.allowSymlink) assertNotSymlink(path);
			const kind = kindOf(path);
			added.push({ path, kind, backup: kind === 'absent' ? null : backupPathFor(path) });
		}
		if (this.ctx.dryRun || added.length === 0) return [];
		for (const entry of added) if (entry.backup) removePath(entry.backup);
		this.entries.push(...added);
		writeJournal(this.journalFile, this.journal('writing'));
		const pending: string[] = [];
		for (const entry of added) {
			checkpoint(`boot.protect ${entry.path}`);
			if (!entry.backup) continue;
			if (entry.kind === 'file') {
				try {
					linkSync(entry.path, entry.backup);
					continue;
				} catch (error) {
					if (!LINKLESS_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
				}
			}
			pending.push(entry.path);
		}
		return pending;
	}

	/** The backup of `path` by rename, for what protectAll() could not link. */
	private moveAside(path: string): void {
		const entry = this.entries.find((e) => e.path === path);
		if (!entry?.backup || existsSync(entry.backup)) return;
		renameSync(path, entry.backup);
		fsyncDir(dirname(path));
	}

	/** Replace (or create) `target` with `data`, atomically, after keeping the previous file. */
	write(target: string, data: Uint8Array | string, mode = 0o644): void {
		this.ctx.logger.debug(
			`writing ${target} (${typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength} bytes)`,
		);
		if (this.ctx.dryRun) {
			assertNotSymlink(target);
			this.ctx.logger.info(`(dry run) would write ${target}`);
			return;
		}
		this.protect(target);
		writeFileAtomic(target, data, { mode });
		chmodSync(target, mode);
	}

	/** Copy a file from the work directory into place. */
	copy(source: string, target: string, mode = 0o644): void {
		this.write(target, this.ctx.dryRun ? '' : readFileSync(source), mode);
	}

	/**
	 * Copy a set of files into place in the given order: every file is first written and fsynced under a temp name,
	 * then every previous file is kept (one journal write) and the new ones are renamed in back to back. Callers
	 * put the kernel image LAST, so a kill between two renames never leaves a new image (what boot loaders look
	 * for) beside a missing initramfs.
	 */
	copyAll(files: readonly { source: string; target: string; mode?: number }[]): void {
		if (this.ctx.dryRun) {
			for (const file of files) this.copy(file.source, file.target, file.mode);
			return;
		}
		const staged: StagedFile[] = [];
		try {
			for (const file of files) {
				assertNotSymlink(file.target);
				this.ctx.logger.debug(`staging ${file.target}`);
				staged.push(stageFile(file.target, readFileSync(file.source), { mode: file.mode ?? 0o644 }));
			}
			checkpoint('boot.staged');
			const moveFirst = new Set(this.protectAll(files.map((f) => f.target)));
			for (const [index, file] of files.entries()) {
				if (moveFirst.has(file.target)) this.moveAside(file.target);
				staged[index]!.commit();
				chmodSync(file.target, file.mode ?? 0o644);
			}
		} catch (error) {
			for (const file of staged) file.discard();
			throw error;
		}
	}

	/**
	 * Make `path` a symbolic link to `linkTarget` (a name in the same directory), replacing a previous link or file:
	 * version-less names such as /boot/vmlinuz that the admin chose to keep as links stay links. The previous link is
	 * kept like any backup (link(2) does not follow it), the new one is made under a temp name and renamed in.
	 */
	symlink(path: string, linkTarget: string): void {
		if (linkTarget.includes('/') || linkTarget === '' || linkTarget === '.' || linkTarget === '..') {
			throw new DistKernelError('boot.name', `Expected a link target in the same directory, got \`${linkTarget}\``);
		}
		if (this.ctx.dryRun) {
			this.ctx.logger.info(`(dry run) would point ${path} at ${linkTarget}`);
			return;
		}
		for (const pending of this.protectAll([path], { allowSymlink: true })) this.moveAside(pending);
		const temp = join(dirname(path), `.${basename(path)}.dk-${randomBytes(4).toString('hex')}.tmp`);
		symlinkSync(linkTarget, temp);
		renameSync(temp, path);
		fsyncDir(dirname(path));
	}

	/** Keep the previous content of a symbolic link itself (not what it points at) before it is replaced. */
	protectLink(path: string): void {
		for (const pending of this.protectAll([path], { allowSymlink: true })) this.moveAside(pending);
	}

	remove(target: string): void {
		if (this.ctx.dryRun) {
			if (existsSync(target)) this.ctx.logger.info(`(dry run) would remove ${target}`);
			return;
		}
		if (kindOf(target) === 'absent') return;
		this.protect(target);
		if (existsSync(target)) {
			unlinkSync(target);
			fsyncDir(dirname(target));
		}
	}

	/** The new set is complete: drop the backups. */
	commit(): void {
		if (this.finished) return;
		this.finished = true;
		if (this.ctx.dryRun) return;
		writeJournal(this.journalFile, this.journal('committed'));
		checkpoint('boot.committed');
		dropBackups(this.entries);
		rmSync(this.journalFile, { force: true });
	}

	/** Put the previous set back. */
	rollback(): void {
		if (this.finished) return;
		this.finished = true;
		if (this.ctx.dryRun) return;
		rollBackEntries(this.entries);
		rmSync(this.journalFile, { force: true });
	}

	/** Runs `fn` and commits, or rolls back and rethrows. */
	static async run<T>(
		ctx: Pick<RuntimeContext, 'root' | 'dryRun' | 'logger'>,
		label: string,
		fn: (t: BootTransaction) => Promise<T>,
	): Promise<T> {
		const transaction = BootTransaction.begin(ctx, label);
		try {
			const result = await fn(transaction);
			transaction.commit();
			return result;
		} catch (error) {
			try {
				transaction.rollback();
			} catch (rollbackError) {
				throw new DistKernelError(
					'boot.rollback',
					`restoring the previous boot files failed after: ${String((error as Error).message)}`,
					{
						details: String((rollbackError as Error).message),
						hint: `backups are the .*.dk-backup files next to the boot files; the journal is ${JOURNAL_PATH}`,
						cause: error,
					},
				);
			}
			throw error;
		}
	}
}

/** Finishes what an interrupted run (kill -9, power loss) left: roll back a partial set, or drop a committed set's backups. */
export function recoverBootTransaction(
	ctx: Pick<RuntimeContext, 'root' | 'dryRun' | 'logger'>,
): 'none' | 'rolled-back' | 'completed' {
	const file = systemPath(ctx, JOURNAL_PATH);
	let journal: Journal;
	try {
		journal = JSON.parse(readFileSync(file, 'utf8')) as Journal;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
		throw new DistKernelError('boot.journal', `cannot read the boot transaction journal: ${JOURNAL_PATH}`, {
			hint: 'check the files in /boot by hand, then remove the journal',
			cause: error,
		});
	}
	if (journal.version !== 1 || !Array.isArray(journal.entries)) {
		throw new DistKernelError('boot.journal', `unknown boot transaction journal format: ${JOURNAL_PATH}`);
	}
	if (ctx.dryRun) {
		ctx.logger.info(`(dry run) would finish the interrupted boot update "${journal.label}"`);
		return journal.state === 'committed' ? 'completed' : 'rolled-back';
	}
	if (journal.state === 'committed') {
		dropBackups(journal.entries);
		rmSync(file, { force: true });
		ctx.logger.info(`finished the interrupted boot update "${journal.label}" (new files were complete)`);
		return 'completed';
	}
	rollBackEntries(journal.entries);
	rmSync(file, { force: true });
	ctx.logger.warn(`an interrupted boot update "${journal.label}" was rolled back: the previous files are in place`);
	return 'rolled-back';
}
