// What the last rescue image was built from (/var/lib/dist-kernel/rescue.json): the kernel version, the layout
// and its files (system paths). It is rebuilt when the newest kernel or the layout changes, or a file is gone.
import { existsSync } from 'node:fs';
import * as z from 'zod';
import { underRoot } from '../../lib/root';
import { isKernelVersion } from '../../lib/validate';
import { readRecord, recordOrUndefined, recordPath, statePath, writeRecord } from './json-record';

export const RESCUE_STATE = statePath('rescue.json');

const rescueSchema = z.object({
	kv: z.string().refine(isKernelVersion),
	layout: z.string(),
	// Only absolute paths that stay where they point are kept (the record is read as root).
	files: z
		.array(z.unknown())
		.transform((files) =>
			files.filter((f): f is string => typeof f === 'string' && f.startsWith('/') && !f.split('/').includes('..')),
		),
	builtAt: z.string().catch(''),
});

export type RescueState = z.infer<typeof rescueSchema>;

export function readRescueState(ctx: { root: string }): RescueState | undefined {
	return recordOrUndefined(readRecord(recordPath(ctx.root, 'rescue.json'), rescueSchema));
}

export function rescueFilesPresent(ctx: { root: string }, state: RescueState): boolean {
	return state.files.length > 0 && state.files.every((f) => existsSync(underRoot(ctx.root, f)));
}

export function writeRescueState(ctx: { root: string }, state: RescueState): void {
	writeRecord(recordPath(ctx.root, 'rescue.json'), state, { mode: 0o644 });
}
