// A directory's content as path → sha256 (symlinks as "-> target"), to compare /boot before and after a fault.
// An uncompressed initramfs is digested entry by entry without dracut's build-parameter.txt, which records the
// (per-run temporary) paths dracut was called with; everything else in a reproducible dracut image is stable.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseCpioSequence } from '../../src/parsers/cpio';
import { findSection, readPeSections } from '../../src/parsers/pe-sections';

export type Snapshot = Map<string, string>;

/**
 * Our own temporary and backup files: src/lib/atomic-write.ts names them `.NAME.dk-XXXXXXXX.tmp`,
 * src/runtime/boot/transaction/transaction.ts keeps the previous file as `.NAME.dk-backup` until the new set is complete.
 */
export const TEMP_FILE_RE = /(^|\/)\.[^/]*\.dk-(?:[0-9a-f]{8}\.tmp|backup)(\/|$)/;

export function snapshotTree(dir: string): Snapshot {
	const out: Snapshot = new Map();
	const walk = (sub: string) => {
		let names: string[];
		try {
			names = readdirSync(join(dir, sub)).sort();
		} catch {
			return;
		}
		for (const name of names) {
			const rel = sub === '' ? name : `${sub}/${name}`;
			const full = join(dir, rel);
			const st = lstatSync(full);
			if (st.isSymbolicLink()) out.set(rel, `-> ${readlinkSync(full)}`);
			else if (st.isDirectory()) {
				out.set(`${rel}/`, 'dir');
				walk(rel);
			} else if (st.isFile()) out.set(rel, digestFile(readFileSync(full)));
			else out.set(rel, 'special');
		}
	};
	walk('');
	return out;
}

const VOLATILE_ENTRY_RE = /(^|\/)dracut\/build-parameter\.txt$/;

/**
 * A UKI (PE with .linux and .initrd): its sections, the embedded initramfs digested as above. The PE header (link
 * time stamp, checksum) and section order/padding are not part of what boots.
 */
function digestUki(data: Buffer): string | undefined {
	if (data.subarray(0, 2).toString('latin1') !== 'MZ') return undefined;
	try {
		const sections = readPeSections(data);
		if (!sections.some((s) => s.name === '.linux') || !sections.some((s) => s.name === '.initrd')) return undefined;
		const hash = createHash('sha256');
		for (const section of [...sections].sort((a, b) => a.name.localeCompare(b.name))) {
			const body = findSection(data, section.name);
			if (!body) return undefined;
			hash.update(
				`${section.name}\0${section.name === '.initrd' ? digestFile(body) : createHash('sha256').update(body).digest('hex')}\0`,
			);
		}
		return `uki:${hash.digest('hex')}`;
	} catch {
		return undefined;
	}
}

export function digestFile(data: Buffer): string {
	const uki = digestUki(data);
	if (uki) return uki;
	if (data.subarray(0, 6).toString('latin1') === '070701') {
		try {
			const archive = parseCpioSequence(data);
			if (archive.end === data.length) {
				const hash = createHash('sha256');
				for (const entry of archive.entries) {
					if (VOLATILE_ENTRY_RE.test(entry.name)) continue;
					hash.update(`${entry.name}\0${entry.mode}\0${entry.size}\0`);
					hash.update(data.subarray(entry.dataOffset, entry.dataOffset + entry.size));
				}
				return `cpio:${hash.digest('hex')}`;
			}
		} catch {
			// A damaged archive: fall through to the plain digest, which then differs from any good image.
		}
	}
	return createHash('sha256').update(data).digest('hex');
}

export function withoutTempFiles(snapshot: Snapshot): Snapshot {
	return new Map([...snapshot].filter(([path]) => !TEMP_FILE_RE.test(path)));
}

export function tempFiles(snapshot: Snapshot): string[] {
	return [...snapshot.keys()].filter((path) => TEMP_FILE_RE.test(path));
}

export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
	if (a.size !== b.size) return false;
	for (const [path, sum] of a) if (b.get(path) !== sum) return false;
	return true;
}

/** Human-readable differences, at most `limit` lines. */
export function diffSnapshots(before: Snapshot, after: Snapshot, limit = 8): string[] {
	const lines: string[] = [];
	for (const [path, sum] of before) {
		const now = after.get(path);
		if (now === undefined) lines.push(`- ${path}`);
		else if (now !== sum) lines.push(`~ ${path}`);
	}
	for (const path of after.keys()) if (!before.has(path)) lines.push(`+ ${path}`);
	return lines.length > limit ? [...lines.slice(0, limit), `… ${lines.length - limit} more`] : lines;
}
