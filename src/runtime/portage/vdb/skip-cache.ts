// Remembers which VDB entries a scan's pre-filter rejected, keyed by what would change if the entry changed:
// the entry directory's inode and mtime (Portage replaces files in it by rename, which updates the directory)
// and CONTENTS' mtime and size. A later scan stats instead of reading. Best effort: an unreadable or foreign
// cache is ignored, and a failed write only costs speed.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../lib/atomic-write';

const VERSION = 1;

export interface SkipCache {
	/** True when `cpv` was rejected before and its entry has not changed since. */
	isSkipped(cpv: string, dir: string): boolean;
	/** Record the pre-filter's verdict for `cpv`. */
	remember(cpv: string, dir: string, skipped: boolean): void;
	/** Write the cache back if anything changed. */
	save(): void;
}

function fingerprint(dir: string): string | undefined {
	try {
		const d = statSync(dir, { bigint: true });
		let contents = 'none';
		try {
			const c = statSync(join(dir, 'CONTENTS'), { bigint: true });
			contents = `${c.mtimeNs}:${c.size}`;
		} catch {
			// No CONTENTS (a virtual): the directory's own fingerprint decides.
		}
		return `${d.ino}:${d.mtimeNs}:${contents}`;
	} catch {
		return undefined;
	}
}

export function openSkipCache(path: string, options: { write: boolean; scope: string }): SkipCache {
	let entries: Record<string, string> = {};
	try {
		const data = JSON.parse(readFileSync(path, 'utf8')) as {
			version?: number;
			scope?: string;
			skipped?: Record<string, string>;
		};
		if (data.version === VERSION && data.scope === options.scope && data.skipped && typeof data.skipped === 'object')
			entries = data.skipped;
	} catch {
		entries = {};
	}
	const next: Record<string, string> = {};
	let changed = false;
	return {
		isSkipped(cpv, dir) {
			const known = entries[cpv];
			if (known === undefined) return false;
			const now = fingerprint(dir);
			if (now !== known) return false;
			next[cpv] = known;
			return true;
		},
		remember(cpv, dir, skipped) {
			if (!skipped) {
				if (entries[cpv] !== undefined) changed = true;
				return;
			}
			const now = fingerprint(dir);
			if (now === undefined) return;
			next[cpv] = now;
			if (entries[cpv] !== now) changed = true;
		},
		save() {
			if (!options.write) return;
			if (!changed && Object.keys(next).length === Object.keys(entries).length) return;
			try {
				mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
				writeFileAtomic(path, `${JSON.stringify({ version: VERSION, scope: options.scope, skipped: next })}\n`);
			} catch {
				// A read-only /var or a full disk: the next scan reads everything again.
			}
		},
	};
}
