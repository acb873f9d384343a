// What `setup` added, so that `setup --undo` removes exactly that and nothing the admin made.
import { readFileSync, rmSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../../lib/atomic-write';
import { DistKernelError } from '../../lib/errors';
import { underRoot } from '../../lib/root';

export const SETUP_RECORD = '/var/lib/dist-kernel/setup.json';

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
	const path = underRoot(root, SETUP_RECORD);
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new DistKernelError('setup.record', `cannot read the setup record: ${path}`, { cause: error });
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		throw new DistKernelError('setup.record', `invalid setup record: ${path}`, { details: String(error), cause: error });
	}
	const parsed = recordSchema.safeParse(data);
	if (!parsed.success) throw new DistKernelError('setup.record', `invalid setup record: ${path}`, { details: z.prettifyError(parsed.error) });
	return parsed.data;
}

export function writeSetupRecord(root: string, record: SetupRecord): void {
	const path = underRoot(root, SETUP_RECORD);
	mkdirSync(dirname(path), { recursive: true });
	writeFileAtomic(path, `${JSON.stringify(record, null, '\t')}\n`);
}

export function removeSetupRecord(root: string): void {
	rmSync(underRoot(root, SETUP_RECORD), { force: true });
}

/** Record a written file (replacing an older entry for the same path). */
export function recordFile(record: SetupRecord, path: string, hash: string): void {
	record.files = record.files.filter((f) => f.path !== path);
	record.files.push({ path, sha256: hash });
}

export function recordDir(record: SetupRecord, path: string): void {
	if (!record.dirs.includes(path)) record.dirs.push(path);
}
