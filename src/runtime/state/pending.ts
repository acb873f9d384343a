// Deferred initramfs work that survives the process: one JSON record per kernel release in
// /var/lib/dist-kernel/pending/<KV>, written atomically. Its presence means "the image for KV must still be
// (re)built"; it is removed only after a successful build.
import * as z from 'zod';
import { isKernelVersion } from '../../lib/validate';
import { readRecord, recordNames, recordPath, removeRecord, statePath, writeRecord } from './json-record';

export const PENDING_DIR = statePath('pending');

/** A process, by pid and start time (so a reused pid is not mistaken for it). */
export interface ProcessRef {
	pid: number;
	start: string;
}

const strings = z.array(z.unknown()).transform((list) => list.filter((x): x is string => typeof x === 'string'));

// Lenient on purpose: a record from an older or interrupted run still means work is owed.
const pendingSchema = z.object({
	kv: z.unknown(),
	kind: z.unknown().transform((kind): 'install' | 'initramfs' => (kind === 'install' ? 'install' : 'initramfs')),
	requestedBy: strings.catch([]),
	waitingFor: strings.catch([]),
	since: z.string().catch(new Date(0).toISOString()),
	owner: z.object({ pid: z.number(), start: z.string() }).optional().catch(undefined),
});

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

export function readPending(root: string, kv: string): PendingWork | undefined {
	const read = readRecord(recordPath(root, 'pending', kv), pendingSchema);
	if (read.state === 'missing') return undefined;
	// An unreadable record still means work is owed: rebuild the image to be safe.
	if (read.state !== 'ok')
		return { kv, kind: 'install', requestedBy: [], waitingFor: [], since: new Date(0).toISOString() };
	const { owner, ...data } = read.data;
	if (data.kv !== kv) return undefined;
	return { ...data, kv, ...(owner ? { owner } : {}) };
}

export function listPending(root: string): PendingWork[] {
	return recordNames(recordPath(root, 'pending'))
		.filter((n) => isKernelVersion(n))
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
	writeRecord(recordPath(root, 'pending', work.kv), merged);
	return merged;
}

export function clearPending(root: string, kv: string): void {
	removeRecord(recordPath(root, 'pending', kv));
}
