// Writing into /etc the way Portage's CONFIG_PROTECT does: a file the admin changed is never replaced; the new
// text goes beside it as `._cfgNNNN_name` (gentoo/portage lib/portage/util `new_protect_filename`), which
// etc-update and dispatch-conf pick up, and which Portage's repos.conf reader skips (it ignores dot files, while a
// `name.new` would be read as a second repos.conf file).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../lib/atomic-write';
import type { Exec } from '../../../lib/exec';
import { readTextOrUndefined } from '../../../lib/read-file';

export function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

const PROTECT_RE = /^\._cfg([0-9]{4})_(.+)$/;

/** Existing `._cfgNNNN_<name>` files of `name` among `entries`, highest number last. */
export function protectedCopies(entries: readonly string[], name: string): string[] {
	return entries
		.map((entry) => ({ entry, match: PROTECT_RE.exec(entry) }))
		.filter((x) => x.match?.[2] === name)
		.sort((a, b) => Number(a.match![1]) - Number(b.match![1]))
		.map((x) => x.entry);
}

/** The next free config-protect name for `name`: one above the highest existing number, four digits. */
export function nextProtectName(entries: readonly string[], name: string): string {
	const last = protectedCopies(entries, name).at(-1);
	const next = last === undefined ? 0 : Number(PROTECT_RE.exec(last)![1]) + 1;
	return `._cfg${String(next).padStart(4, '0')}_${name}`;
}

export type WriteAction = 'created' | 'updated' | 'unchanged' | 'protected';

export interface ProtectedWrite {
	/** Full path of the target. */
	path: string;
	action: WriteAction;
	/** Full path of the `._cfgNNNN_` file when the admin's file was kept. */
	protectedPath?: string;
	/** `diff -u` from the admin's file to ours when protected. */
	diff?: string;
	/** sha256 of what we wrote (or would have written). */
	hash: string;
}

export interface ProtectedWriteOptions {
	/** sha256 of the text we wrote there last time: a file still holding it is ours to replace. */
	ownHash?: string | undefined;
	dryRun: boolean;
	exec: Exec;
	mode?: number;
	/** The path as the admin sees it (under --root), for the diff labels. */
	shown?: string;
}

/** Writes `text` to `path` unless an admin-edited file is there; then writes (once) a `._cfgNNNN_` copy and returns the diff. */
export async function writeProtected(
	path: string,
	text: string,
	options: ProtectedWriteOptions,
): Promise<ProtectedWrite> {
	const hash = sha256(text);
	const current = readTextOrUndefined(path, { only: 'missing' });
	const write = (target: string) => {
		if (options.dryRun) return;
		mkdirSync(dirname(target), { recursive: true });
		writeFileAtomic(target, text, { mode: options.mode ?? 0o644 });
	};
	if (current === text) return { path, action: 'unchanged', hash };
	if (current === undefined) {
		write(path);
		return { path, action: 'created', hash };
	}
	if (options.ownHash !== undefined && sha256(current) === options.ownHash) {
		write(path);
		return { path, action: 'updated', hash };
	}
	const dir = dirname(path);
	const name = basename(path);
	const entries = readdirSync(dir);
	const last = protectedCopies(entries, name).at(-1);
	const label = options.shown ?? path;
	const diffResult = await options.exec(
		'diff',
		['-u', '--label', label, '--label', `${label} (dist-kernel setup)`, path, '-'],
		{
			input: text,
			allowFailure: true,
		},
	);
	const diff = diffResult.stdout;
	// Same proposal already waiting for etc-update: do not stack another copy.
	if (last !== undefined && readTextOrUndefined(join(dir, last), { only: 'missing' }) === text) {
		return { path, action: 'protected', protectedPath: join(dir, last), diff, hash };
	}
	const protectedPath = join(dir, nextProtectName(entries, name));
	write(protectedPath);
	return { path, action: 'protected', protectedPath, diff, hash };
}
