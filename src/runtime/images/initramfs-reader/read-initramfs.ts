// Lists what an initramfs holds, reading it as the kernel does: zero or more uncompressed newc archives (early
// microcode), then compressed segments whose contents are again newc archives.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import type { Exec } from '../../../lib/exec';
import { timed } from '../../../lib/timing';
import {
	type ByteSource,
	bufferSource,
	type CpioEntry,
	isCpioAt,
	parseCpioSequence,
	skipZeros,
} from '../../../parsers/cpio';
import { type Compression, detectCompression } from '../../../parsers/initramfs-compression';
import { listCompressedSegment, type SegmentInput } from './decompress';
import { advanceTo, fileSource } from './file-source';

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

/** Walks the image: uncompressed archives in place, then the compressed segment (`segment(at)` gives its input). */
async function listSource(
	exec: Exec,
	image: ByteSource,
	segment: (at: number) => SegmentInput,
): Promise<InitramfsListing> {
	const segments: InitramfsSegment[] = [];
	const entries: CpioEntry[] = [];
	let at = skipZeros(image, 0);
	while (at < image.length) {
		if (isCpioAt(image, at)) {
			const archive = parseCpioSequence(image, at);
			segments.push({ offset: at, compression: 'cpio', entries: archive.entries.length });
			for (const entry of archive.entries) entries.push(entry);
			at = archive.end;
			continue;
		}
		const compression = detectCompression(image.bytes(at, 16));
		if (compression === 'unknown') {
			throw new DistKernelError('initramfs.format', `unrecognized data in initramfs at byte ${at}`, {
				hint: 'expected newc cpio, optionally compressed with gzip, zstd, xz, lzma, bzip2 or lz4',
			});
		}
		const { archive, length } = await listCompressedSegment(exec, compression, segment(at));
		if (archive.end < length) {
			throw new DistKernelError(
				'initramfs.format',
				`unexpected data after the cpio archives in the ${compression} segment at byte ${at}`,
			);
		}
		segments.push({ offset: at, compression, entries: archive.entries.length });
		for (const entry of archive.entries) entries.push(entry);
		// A compressed segment runs to the end of the image (the kernel's decompressors consume the rest).
		break;
	}
	return { segments, entries, names: new Set(entries.map((e) => e.name)) };
}

export function listInitramfsBuffer(exec: Exec, image: Buffer): Promise<InitramfsListing> {
	return listSource(exec, bufferSource(image), (at) => image.subarray(at));
}

/**
 * Lists an image file reading only what it must: the headers of its archives (file data skipped), and the
 * compressed segment handed to the decompressor as the file itself when nothing follows the stream.
 */
export function listInitramfs(exec: Exec, path: string): Promise<InitramfsListing> {
	return timed('image-listing', () => listInitramfsNow(exec, path));
}

async function listInitramfsNow(exec: Exec, path: string): Promise<InitramfsListing> {
	let fd: number;
	try {
		fd = openSync(path, 'r');
	} catch (error) {
		throw new DistKernelError('initramfs.read', `cannot read initramfs: ${path}`, {
			details: String(error),
			cause: error,
		});
	}
	try {
		const stat = fstatSync(fd);
		if (!stat.isFile())
			throw new DistKernelError('initramfs.read', `cannot read initramfs: ${path}`, { details: 'not a regular file' });
		const size = stat.size;
		const image = fileSource(fd, size);
		const load = (at: number) => image.bytes(at, size - at);
		// NUL padding after the stream must be cut off first (decompress.ts): then the bytes are read into memory.
		const padded = size > 0 && image.bytes(size - 1, 1)[0] === 0;
		return await listSource(exec, image, (at) => {
			if (padded) return load(at);
			advanceTo(fd, at);
			return { fd, load: () => load(at) };
		});
	} catch (error) {
		if (error instanceof DistKernelError && !error.message.includes(path)) {
			throw new DistKernelError(error.code, `${error.message} (${path})`, {
				...(error.details ? { details: error.details } : {}),
				...(error.hint ? { hint: error.hint } : {}),
				cause: error,
			});
		}
		// a read of the file itself failed (EIO…)
		if (!(error instanceof DistKernelError) && (error as NodeJS.ErrnoException).code) {
			throw new DistKernelError('initramfs.read', `cannot read initramfs: ${path}`, {
				details: String(error),
				cause: error,
			});
		}
		throw error;
	} finally {
		closeSync(fd);
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
