// Deferred initramfs work that survives the process: one JSON file per kernel release in
// /var/lib/dist-kernel/pending/<KV>, written atomically. Its presence means "the image for KV must still be
// (re)built"; it is removed only after a successful build.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-write';
import { underRoot } from '../../lib/root';
import { isKernelVersion } from '../../lib/validate';
import type { ProcessRef } from '../portage/emerge/emerge-owner';

export const PENDING_DIR = '/var/lib/dist-kernel/pending';

export interface PendingWork {
	kv: string;
	/** 'install': the kernel itself was not installed into /boot yet; 'initramfs': only the image is outdated. */
	kind: 'install' | 'initramfs';
	/** Packages (CAT/PF) whose postinst asked, in order. */
	requestedBy: string[];
	/** Package keys still to merge that will ask again, as last seen in Portage's resume list. */
	waitingFor: string[];
	/** ISO time of the first request. */
	since: string;
	/** The emerge that deferred the work; while it lives, it finishes the work itself. */
	owner?: ProcessRef;
}

function dir(root: string): string {
	return underRoot(root, PENDING_DIR);
}

export function readPending(root: string, kv: string): PendingWork | undefined {
	try {
		const data = JSON.parse(readFileSync(join(dir(root), kv), 'utf8')) as Partial<PendingWork>;
		if (data.kv !== kv) return undefined;
		return {
			kv,
			kind: data.kind === 'install' ? 'install' : 'initramfs',
			requestedBy: Array.isArray(data.requestedBy) ? data.requestedBy.filter((x): x is string => typeof x === 'string') : [],
			waitingFor: Array.isArray(data.waitingFor) ? data.waitingFor.filter((x): x is string => typeof x === 'string') : [],
			since: typeof data.since === 'string' ? data.since : new Date(0).toISOString(),
			...(data.owner && typeof data.owner.pid === 'number' && typeof data.owner.start === 'string' ? { owner: { pid: data.owner.pid, start: data.owner.start } } : {}),
		};
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		// An unreadable record still means work is owed: rebuild the image to be safe.
		return { kv, kind: 'install', requestedBy: [], waitingFor: [], since: new Date(0).toISOString() };
	}
}

export function listPending(root: string): PendingWork[] {
	let names: string[];
	try {
		names = readdirSync(dir(root));
	} catch {
		return [];
	}
	return names
		.filter((n) => isKernelVersion(n))
		.sort()
		.map((kv) => readPending(root, kv))
		.filter((p): p is PendingWork => p !== undefined);
}

/** Record (or merge into) pending work for `work.kv`; an 'install' never downgrades to 'initramfs'. */
export function recordPending(root: string, work: PendingWork): PendingWork {
	const previous = readPending(root, work.kv);
	const merged: PendingWork = previous
		? {
				kv: work.kv,
				kind: previous.kind === 'install' || work.kind === 'install' ? 'install' : 'initramfs',
				requestedBy: [...new Set([...previous.requestedBy, ...work.requestedBy])],
				waitingFor: work.waitingFor,
				since: previous.since,
				...(work.owner ? { owner: work.owner } : {}),
			}
		: work;
	mkdirSync(dir(root), { recursive: true, mode: 0o755 });
	writeFileAtomic(join(dir(root), work.kv), `${JSON.stringify(merged, null, '\t')}\n`);
	return merged;
}

export function clearPending(root: string, kv: string): void {
	rmSync(join(dir(root), kv), { force: true });
}
