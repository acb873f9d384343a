// What `setup` added, so that `setup --undo` removes exactly that and nothing the admin made.
import * as z from 'zod';
import { DistKernelError } from '../../lib/errors';
import { readRecord, recordPath, removeRecord, statePath, writeRecord } from './json-record';

export const SETUP_RECORD = statePath('setup.json');

const recordSchema = z.strictObject({
	version: z.literal(1),
	/** System paths of files setup wrote, with the sha256 of their text (undo leaves them alone if edited since). */
	files: z.array(z.strictObject({ path: z.string(), sha256: z.string() })),
	/** Directories setup created, in creation order. */
	dirs: z.array(z.string()),
	/** The generated overlay, when setup created its directory. */
	overlay: z.string().optional(),
});
export type SetupRecord = z.infer<typeof recordSchema>;

export function emptyRecord(): SetupRecord {
	return { version: 1, files: [], dirs: [] };
}

export function readSetupRecord(root: string): SetupRecord | undefined {
	const path = recordPath(root, 'setup.json');
	const read = readRecord(path, recordSchema);
	switch (read.state) {
		case 'missing':
			return undefined;
		case 'unreadable':
			throw new DistKernelError('setup.record', `cannot read the setup record: ${path}`, { cause: read.error });
		case 'invalid':
			throw new DistKernelError('setup.record', `invalid setup record: ${path}`, {
				details: read.details,
				...(read.error === undefined ? {} : { cause: read.error }),
			});
		case 'ok':
			return read.data;
	}
}

export function writeSetupRecord(root: string, record: SetupRecord): void {
	writeRecord(recordPath(root, 'setup.json'), record);
}

export function removeSetupRecord(root: string): void {
	removeRecord(recordPath(root, 'setup.json'));
}

/** Record a written file (replacing an older entry for the same path). */
export function recordFile(record: SetupRecord, path: string, hash: string): void {
	record.files = record.files.filter((f) => f.path !== path);
	record.files.push({ path, sha256: hash });
}

export function recordDir(record: SetupRecord, path: string): void {
	if (!record.dirs.includes(path)) record.dirs.push(path);
}
