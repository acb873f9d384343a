// SVR4 "newc" cpio archives (magic 070701, or 070702 with checksums) as the kernel unpacks for an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header of 13 eight-digit hex
// fields, the NUL-terminated name, padding to 4 bytes, the data, padding to 4 bytes; "TRAILER!!!" ends an archive.
// Several archives may follow each other, separated by NUL padding (early microcode + main image). Pure: a Buffer
// or a ByteSource in (the caller does the reading); only headers and names are read, never file data.
import { DistKernelError } from '../lib/errors';
import { printable } from '../lib/validate';

export const CPIO_HEADER_SIZE = 110;
const TRAILER = 'TRAILER!!!';
/** Upper bound on one entry's name: the kernel uses PATH_MAX. */
const MAX_NAME = 4096;

export type CpioEntryType = 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket' | 'unknown';

export interface CpioEntry {
	/** As stored, without a leading "./" or "/". */
	name: string;
	mode: number;
	type: CpioEntryType;
	size: number;
	mtime: number;
	nlink: number;
	ino: number;
	/** Offset of the data in the buffer given to the parser. */
	dataOffset: number;
}

export interface CpioArchive {
	entries: CpioEntry[];
	/** Offset just past the trailer's padded record. */
	end: number;
}

function fail(offset: number, why: string): DistKernelError {
	return new DistKernelError('cpio.parse', `invalid cpio archive at byte ${offset}`, { details: why });
}

function typeOf(mode: number): CpioEntryType {
	switch (mode & 0o170000) {
		case 0o100000:
			return 'file';
		case 0o040000:
			return 'directory';
		case 0o120000:
			return 'symlink';
		case 0o020000:
			return 'char';
		case 0o060000:
			return 'block';
		case 0o010000:
			return 'fifo';
		case 0o140000:
			return 'socket';
		default:
			return 'unknown';
	}
}

const align4 = (n: number) => (n + 3) & ~3;

function hexField(head: Buffer, at: number, field: number): number {
	const start = 6 + field * 8;
	let value = 0;
	for (let i = start; i < start + 8; i++) {
		const c = head[i]!;
		let digit: number;
		if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
		else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
		else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
		else throw fail(at, `header field ${field} is not hexadecimal: \`${printable(head.toString('latin1', start, start + 8))}\``);
		value = value * 16 + digit;
	}
	return value;
}

/**
 * Random access to the bytes an archive is read from: a Buffer, or (in the runtime) a file read piece by piece, so
 * that listing a large image reads its headers and skips the file data without copying it.
 */
export interface ByteSource {
	/** Total length in bytes. */
	readonly length: number;
	/** `length` bytes from `offset`; fewer only past the end. */
	bytes(offset: number, length: number): Buffer;
}

export function bufferSource(buf: Buffer): ByteSource {
	return { length: buf.length, bytes: (offset, length) => buf.subarray(offset, offset + length) };
}

const sourceOf = (input: Buffer | ByteSource): ByteSource => (Buffer.isBuffer(input) ? bufferSource(input) : input);

function isMagic(head: Uint8Array): boolean {
	return head.length >= 6 && head[0] === 0x30 && head[1] === 0x37 && head[2] === 0x30 && head[3] === 0x37 && head[4] === 0x30 && (head[5] === 0x31 || head[5] === 0x32);
}

/** Whether a newc header starts at `offset`. */
export function isCpioAt(input: Buffer | ByteSource, offset = 0): boolean {
	const src = sourceOf(input);
	return src.length - offset >= 6 && isMagic(src.bytes(offset, 6));
}

/** Parse one archive starting at `offset`, up to and including its trailer. Throws 'cpio.parse'. */
export function parseCpioArchive(input: Buffer | ByteSource, offset = 0): CpioArchive {
	const src = sourceOf(input);
	const entries: CpioEntry[] = [];
	let at = offset;
	for (;;) {
		if (src.length - at < CPIO_HEADER_SIZE) throw fail(at, 'truncated header (no TRAILER!!! record)');
		const head = src.bytes(at, CPIO_HEADER_SIZE);
		if (!isMagic(head)) throw fail(at, `bad magic \`${printable(head.toString('latin1', 0, 6))}\` (only newc 070701/070702 is supported)`);
		const ino = hexField(head, at, 0);
		const mode = hexField(head, at, 1);
		const nlink = hexField(head, at, 4);
		const mtime = hexField(head, at, 5);
		const size = hexField(head, at, 6);
		const nameSize = hexField(head, at, 11);
		if (nameSize < 1 || nameSize > MAX_NAME) throw fail(at, `name size ${nameSize} out of range`);
		const nameStart = at + CPIO_HEADER_SIZE;
		const nameEnd = nameStart + nameSize;
		if (nameEnd > src.length) throw fail(at, 'truncated name');
		const name = src.bytes(nameStart, nameSize);
		if (name[nameSize - 1] !== 0) throw fail(at, 'name is not NUL-terminated');
		const raw = name.toString('utf8', 0, nameSize - 1);
		if (raw.includes('\0')) throw fail(at, 'NUL inside the name');
		const dataStart = offset + align4(nameEnd - offset);
		if (dataStart + size > src.length) throw fail(at, `truncated data of \`${printable(raw)}\` (${size} bytes)`);
		const next = offset + align4(dataStart + size - offset);
		if (raw === TRAILER) return { entries, end: Math.min(next, src.length) };
		entries.push({ name: raw.replace(/^(?:\.\/|\/)+/, ''), mode, type: typeOf(mode), size, mtime, nlink, ino, dataOffset: dataStart });
		at = next;
	}
}

/** Offset of the first non-NUL byte at or after `offset` (archives are separated by NUL padding). */
export function skipZeros(input: Buffer | ByteSource, offset: number): number {
	if (Buffer.isBuffer(input)) {
		let at = offset;
		while (at < input.length && input[at] === 0) at++;
		return at;
	}
	let at = offset;
	while (at < input.length) {
		const window = input.bytes(at, 4096);
		if (window.length === 0) return input.length;
		let i = 0;
		while (i < window.length && window[i] === 0) i++;
		if (i < window.length) return at + i;
		at += window.length;
	}
	return at;
}

/**
 * Parse consecutive archives from `offset` while a newc header follows (NUL padding between them is skipped).
 * Returns all entries and the offset where something that is not cpio starts (its length when done).
 */
export function parseCpioSequence(input: Buffer | ByteSource, offset = 0): CpioArchive {
	const src = sourceOf(input);
	const entries: CpioEntry[] = [];
	let at = skipZeros(input, offset);
	while (at < src.length && isCpioAt(src, at)) {
		const archive = parseCpioArchive(src, at);
		for (const entry of archive.entries) entries.push(entry);
		at = skipZeros(input, archive.end);
	}
	return { entries, end: at };
}

/** The target of a symlink entry (stored as its data). */
export function cpioSymlinkTarget(buf: Buffer, entry: CpioEntry): string {
	return buf.toString('utf8', entry.dataOffset, entry.dataOffset + entry.size);
}
