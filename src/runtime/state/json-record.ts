// Every record the runtime keeps lives under one directory, as JSON checked by a zod schema on the way in and
// written atomically (a temporary file beside it, fsynced, renamed) on the way out.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../../lib/atomic-write';
import { underRoot } from '../../lib/root';

/** The runtime's state directory (a system path): pending work, verification results, rescue, setup, post-sync. */
export const STATE_DIR = '/var/lib/dist-kernel';

/** A system path under STATE_DIR ("pending", "setup.json"). */
export function statePath(name: string): string {
	return `${STATE_DIR}/${name}`;
}

/**
 * What reading a record found. `unreadable`: the file exists but could not be read; `invalid`: not JSON, or not
 * what the schema describes (`details` says why).
 */
export type RecordRead<T> =
	| { state: 'missing' }
	| { state: 'unreadable'; error: unknown }
	| { state: 'invalid'; details: string; error?: unknown }
	| { state: 'ok'; data: T };

/** Reads the record at `path` (a path on this host, already under the root). */
export function readRecord<S extends z.ZodType>(path: string, schema: S): RecordRead<z.output<S>> {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
		return { state: 'unreadable', error };
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		return { state: 'invalid', details: String(error), error };
	}
	const parsed = schema.safeParse(data);
	if (!parsed.success) return { state: 'invalid', details: z.prettifyError(parsed.error) };
	return { state: 'ok', data: parsed.data };
}

/** The record's data, or undefined whatever else was found. */
export function recordOrUndefined<T>(read: RecordRead<T>): T | undefined {
	return read.state === 'ok' ? read.data : undefined;
}

/** Writes `data` as tab-indented JSON, atomically, creating the directory (0755) when needed. */
export function writeRecord(path: string, data: unknown, options: { mode?: number } = {}): void {
	mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
	writeFileAtomic(
		path,
		`${JSON.stringify(data, null, '\t')}\n`,
		options.mode === undefined ? {} : { mode: options.mode },
	);
}

export function removeRecord(path: string): void {
	rmSync(path, { force: true });
}

/** Names in a record directory (sorted), none when it does not exist. */
export function recordNames(dir: string): string[] {
	try {
		return readdirSync(dir).sort();
	} catch {
		return [];
	}
}

/** A record's path on this host: STATE_DIR/`name` under `root`, then `parts`. */
export function recordPath(root: string, name: string, ...parts: string[]): string {
	return join(underRoot(root, statePath(name)), ...parts);
}
