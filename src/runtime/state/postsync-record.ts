// Fingerprints from the last regeneration, one per repository, so a sync that changed no kernel version costs a
// few directory listings and nothing else.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../../lib/atomic-write';
import { underRoot } from '../../lib/root';

export const POSTSYNC_STATE = '/var/lib/dist-kernel/postsync.json';

const stateSchema = z.strictObject({
	version: z.literal(1),
	repositories: z.record(z.string(), z.string()),
});
export type PostsyncState = z.infer<typeof stateSchema>;

/** The saved state; a missing or unreadable file means "unknown" and only costs one regeneration. */
export function readPostsyncState(root: string): PostsyncState {
	try {
		const parsed = stateSchema.safeParse(JSON.parse(readFileSync(underRoot(root, POSTSYNC_STATE), 'utf8')));
		if (parsed.success) return parsed.data;
	} catch {
		// Fall through: treated as never generated.
	}
	return { version: 1, repositories: {} };
}

export function writePostsyncState(root: string, state: PostsyncState): void {
	const path = underRoot(root, POSTSYNC_STATE);
	mkdirSync(dirname(path), { recursive: true });
	writeFileAtomic(path, `${JSON.stringify(state, null, '\t')}\n`);
}
