// What the running emerge still has to merge: Portage's resume list in /var/cache/edb/mtimedb (under root).
import { readFileSync } from 'node:fs';
import { isDistKernelError } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import { underRoot } from '../../../lib/root';
import { timed } from '../../../lib/timing';
import { type MergeListItem, parseMtimedb } from '../../../parsers/mtimedb';

export const MTIMEDB_PATH = '/var/cache/edb/mtimedb';

/** The resume merge list, or [] when there is none or it cannot be read (then nothing is deferred). */
export function readMergeList(root: string, logger?: Logger): MergeListItem[] {
	return timed('mtimedb-read', () => readMergeListNow(root, logger));
}

function readMergeListNow(root: string, logger?: Logger): MergeListItem[] {
	let text: string;
	try {
		text = readFileSync(underRoot(root, MTIMEDB_PATH), 'utf8');
	} catch {
		return [];
	}
	try {
		return (parseMtimedb(text).resume?.mergelist ?? []).filter((item) => item.operation === 'merge');
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		logger?.warn(`${error.message}: not deferring the initramfs`);
		return [];
	}
}

/**
 * Keys of the other packages still in the list. Portage removes an entry only once its merge finished, so with
 * --jobs even entries listed before ours are still to come. `undefined` when `cpv` itself is not listed: then we
 * are not inside that package's merge (a manual run, `emerge --config`, or a stale list left by a dead emerge).
 */
export function keysStillToMerge(list: readonly MergeListItem[], cpv: string): string[] | undefined {
	const index = list.findIndex((item) => `${item.cpv.key}-${item.cpv.version.text}` === cpv);
	if (index < 0) return undefined;
	return list.filter((_, i) => i !== index).map((item) => item.cpv.key);
}

/** The entries still to merge other than `cpv`'s own (same rules as keysStillToMerge). */
export function itemsStillToMerge(list: readonly MergeListItem[], cpv: string): MergeListItem[] | undefined {
	const index = list.findIndex((item) => `${item.cpv.key}-${item.cpv.version.text}` === cpv);
	if (index < 0) return undefined;
	return list.filter((_, i) => i !== index);
}
