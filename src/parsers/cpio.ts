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

// n & 3 keeps the low bits of any safe integer; (n + 3) & ~3 would wrap past 2^31 (sizes are 32-bit unsigned)
const align4 = (n: number) => n + ((4 - (n & 3)) & 3);

function hexField(head: Buffer, at: number, field: number): number {
	const start = 6 + field * 8;
	let value = 0;
	for (let i = start; i < start + 8; i++) {
		const c = head[i]!;
		let digit: number;
		if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
		else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
		else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
		else
			throw fail(
				at,
				`header field ${field} is not hexadecimal: \`${printable(head.toString('latin1', start, start + 8))}\``,
			);
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
	return (
		head.length >= 6 &&
		head[0] === 0x30 &&
		head[1] === 0x37 &&
		head[2] === 0x30 &&
		head[3] === 0x37 &&
		head[4] === 0x30 &&
		(head[5] === 0x31 || head[5] === 0x32)
	);
}

/** Whether a newc header starts at `offset`. */
export function isCpioAt(input: Buffer | ByteSource, offset = 0): boolean {
	const src = sourceOf(input);
	return src.length - offset >= 6 && isMagic(src.bytes(offset, 6));
}

/** The fields of the newc header at `at` (`head`: its 110 bytes). Throws 'cpio.parse'. */
export function readCpioHeader(
	head: Buffer,
	at: number,
): { ino: number; mode: number; nlink: number; mtime: number; size: number; nameSize: number } {
	if (!isMagic(head))
		throw fail(at, `bad magic \`${printable(head.toString('latin1', 0, 6))}\` (only newc 070701/070702 is supported)`);
	const ino = hexField(head, at, 0);
	const mode = hexField(head, at, 1);
	const nlink = hexField(head, at, 4);
	const mtime = hexField(head, at, 5);
	const size = hexField(head, at, 6);
	const nameSize = hexField(head, at, 11);
	if (nameSize < 1 || nameSize > MAX_NAME) throw fail(at, `name size ${nameSize} out of range`);
	return { ino, mode, nlink, mtime, size, nameSize };
}

/** The name of the record at `at` from its `nameSize` bytes (NUL-terminated). Throws 'cpio.parse'. */
export function readCpioName(name: Buffer, nameSize: number, at: number): string {
	if (name[nameSize - 1] !== 0) throw fail(at, 'name is not NUL-terminated');
	const raw = name.toString('utf8', 0, nameSize - 1);
	if (raw.includes('\0')) throw fail(at, 'NUL inside the name');
	return raw;
}

/** The entry a record describes (name without a leading "./" or "/"). */
export function cpioEntry(
	raw: string,
	header: { ino: number; mode: number; nlink: number; mtime: number; size: number },
	dataOffset: number,
): CpioEntry {
	const { ino, mode, nlink, mtime, size } = header;
	return { name: raw.replace(/^(?:\.\/|\/)+/, ''), mode, type: typeOf(mode), size, mtime, nlink, ino, dataOffset };
}

export const CPIO_TRAILER = TRAILER;
export { align4 as cpioAlign4 };

export function truncatedData(at: number, raw: string, size: number): DistKernelError {
	return fail(at, `truncated data of \`${printable(raw)}\` (${size} bytes)`);
}

export function truncatedHeader(at: number): DistKernelError {
	return fail(at, 'truncated header (no TRAILER!!! record)');
}

export function truncatedName(at: number): DistKernelError {
	return fail(at, 'truncated name');
}

/** Parse one archive starting at `offset`, up to and including its trailer. Throws 'cpio.parse'. */
export function parseCpioArchive(input: Buffer | ByteSource, offset = 0): CpioArchive {
	const src = sourceOf(input);
	const entries: CpioEntry[] = [];
	let at = offset;
	for (;;) {
		if (src.length - at < CPIO_HEADER_SIZE) throw truncatedHeader(at);
		const header = readCpioHeader(src.bytes(at, CPIO_HEADER_SIZE), at);
		const nameStart = at + CPIO_HEADER_SIZE;
		const nameEnd = nameStart + header.nameSize;
		if (nameEnd > src.length) throw truncatedName(at);
		const raw = readCpioName(src.bytes(nameStart, header.nameSize), header.nameSize, at);
		const dataStart = offset + align4(nameEnd - offset);
		if (dataStart + header.size > src.length) throw truncatedData(at, raw, header.size);
		const next = offset + align4(dataStart + header.size - offset);
		if (raw === TRAILER) return { entries, end: Math.min(next, src.length) };
		entries.push(cpioEntry(raw, header, dataStart));
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
