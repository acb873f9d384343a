// Fingerprints from the last regeneration, one per repository, so a sync that changed no kernel version costs a
// few directory listings and nothing else.
import * as z from 'zod';
import { readRecord, recordPath, statePath, writeRecord } from './json-record';

export const POSTSYNC_STATE = statePath('postsync.json');

const stateSchema = z.strictObject({
	version: z.literal(1),
	repositories: z.record(z.string(), z.string()),
});
export type PostsyncState = z.infer<typeof stateSchema>;

/** The saved state; a missing or unreadable file means "unknown" and only costs one regeneration. */
export function readPostsyncState(root: string): PostsyncState {
	const read = readRecord(recordPath(root, 'postsync.json'), stateSchema);
	return read.state === 'ok' ? read.data : { version: 1, repositories: {} };
}

export function writePostsyncState(root: string, state: PostsyncState): void {
	writeRecord(recordPath(root, 'postsync.json'), state);
}
