// Lists what an initramfs holds, reading it as the kernel does: zero or more uncompressed newc archives (early
// microcode), then compressed segments whose contents are again newc archives.
import { readFileSync } from 'node:fs';
import { DistKernelError } from '../../lib/errors';
import type { Exec } from '../../lib/exec';
import { isCpioAt, parseCpioSequence, skipZeros, type CpioEntry } from '../../parsers/cpio';
import { detectCompression, type Compression } from '../../parsers/initramfs-compression';
import { decompressSegment } from './decompress';

export interface InitramfsSegment {
	offset: number;
	compression: Compression;
	entries: number;
}

export interface InitramfsListing {
	segments: InitramfsSegment[];
	entries: CpioEntry[];
	/** Entry names, for membership tests. */
	names: Set<string>;
}

export async function listInitramfsBuffer(exec: Exec, image: Buffer): Promise<InitramfsListing> {
	const segments: InitramfsSegment[] = [];
	const entries: CpioEntry[] = [];
	let at = skipZeros(image, 0);
	while (at < image.length) {
		if (isCpioAt(image, at)) {
			const archive = parseCpioSequence(image, at);
			segments.push({ offset: at, compression: 'cpio', entries: archive.entries.length });
			entries.push(...archive.entries);
			at = archive.end;
			continue;
		}
		const compression = detectCompression(image, at);
		if (compression === 'unknown') {
			throw new DistKernelError('initramfs.format', `unrecognized data in initramfs at byte ${at}`, {
				hint: 'expected newc cpio, optionally compressed with gzip, zstd, xz, lzma, bzip2 or lz4',
			});
		}
		const inner = await decompressSegment(exec, compression, image.subarray(at));
		const archive = parseCpioSequence(inner, 0);
		if (archive.end < inner.length) {
			throw new DistKernelError('initramfs.format', `unexpected data after the cpio archives in the ${compression} segment at byte ${at}`);
		}
		segments.push({ offset: at, compression, entries: archive.entries.length });
		entries.push(...archive.entries);
		// A compressed segment runs to the end of the image (the kernel's decompressors consume the rest).
		break;
	}
	return { segments, entries, names: new Set(entries.map((e) => e.name)) };
}

export async function listInitramfs(exec: Exec, path: string): Promise<InitramfsListing> {
	let image: Buffer;
	try {
		image = readFileSync(path);
	} catch (error) {
		throw new DistKernelError('initramfs.read', `cannot read initramfs: ${path}`, { details: String(error), cause: error });
	}
	try {
		return await listInitramfsBuffer(exec, image);
	} catch (error) {
		if (error instanceof DistKernelError && !error.message.includes(path)) {
			throw new DistKernelError(error.code, `${error.message} (${path})`, {
				...(error.details ? { details: error.details } : {}),
				...(error.hint ? { hint: error.hint } : {}),
				cause: error,
			});
		}
		throw error;
	}
}

/** Module file names (`zfs.ko`, compression suffix removed) present under `modules/<kv>/` in the listing. */
export function modulesInListing(listing: InitramfsListing, kv: string): Set<string> {
	const out = new Set<string>();
	const marker = `modules/${kv}/`;
	for (const entry of listing.entries) {
		const at = entry.name.indexOf(marker);
		if (at < 0 || entry.type !== 'file') continue;
		const base = entry.name.slice(entry.name.lastIndexOf('/') + 1);
		const match = /^(.+\.ko)(?:\.(?:gz|xz|zst))?$/.exec(base);
		if (match) out.add(match[1]!);
	}
	return out;
}
