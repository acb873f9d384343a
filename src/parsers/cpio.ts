// SVR4 "newc" cpio archives (magic 070701, or 070702 with checksums) as the kernel unpacks for an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header of 13 eight-digit hex
// fields, the NUL-terminated name, padding to 4 bytes, the data, padding to 4 bytes; "TRAILER!!!" ends an archive.
// Several archives may follow each other, separated by NUL padding (early microcode + main image). Pure: Buffer in.
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

function hexField(buf: Buffer, at: number, field: number): number {
	const start = at + 6 + field * 8;
	let value = 0;
	for (let i = start; i < start + 8; i++) {
		const c = buf[i]!;
		let digit: number;
		if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
		else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
		else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
		else throw fail(at, `header field ${field} is not hexadecimal: \`${printable(buf.toString('latin1', start, start + 8))}\``);
		value = value * 16 + digit;
	}
	return value;
}

/** Whether a newc header starts at `offset`. */
export function isCpioAt(buf: Buffer, offset = 0): boolean {
	return buf.length - offset >= 6 && buf.toString('latin1', offset, offset + 5) === '07070' && (buf[offset + 5] === 0x31 || buf[offset + 5] === 0x32);
}

/** Parse one archive starting at `offset`, up to and including its trailer. Throws 'cpio.parse'. */
export function parseCpioArchive(buf: Buffer, offset = 0): CpioArchive {
	const entries: CpioEntry[] = [];
	let at = offset;
	for (;;) {
		if (buf.length - at < CPIO_HEADER_SIZE) throw fail(at, 'truncated header (no TRAILER!!! record)');
		if (!isCpioAt(buf, at)) throw fail(at, `bad magic \`${printable(buf.toString('latin1', at, at + 6))}\` (only newc 070701/070702 is supported)`);
		const ino = hexField(buf, at, 0);
		const mode = hexField(buf, at, 1);
		const nlink = hexField(buf, at, 4);
		const mtime = hexField(buf, at, 5);
		const size = hexField(buf, at, 6);
		const nameSize = hexField(buf, at, 11);
		if (nameSize < 1 || nameSize > MAX_NAME) throw fail(at, `name size ${nameSize} out of range`);
		const nameStart = at + CPIO_HEADER_SIZE;
		const nameEnd = nameStart + nameSize;
		if (nameEnd > buf.length) throw fail(at, 'truncated name');
		if (buf[nameEnd - 1] !== 0) throw fail(at, 'name is not NUL-terminated');
		const raw = buf.toString('utf8', nameStart, nameEnd - 1);
		if (raw.includes('\0')) throw fail(at, 'NUL inside the name');
		const dataStart = offset + align4(nameEnd - offset);
		if (dataStart + size > buf.length) throw fail(at, `truncated data of \`${printable(raw)}\` (${size} bytes)`);
		const next = offset + align4(dataStart + size - offset);
		if (raw === TRAILER) return { entries, end: Math.min(next, buf.length) };
		entries.push({ name: raw.replace(/^(?:\.\/|\/)+/, ''), mode, type: typeOf(mode), size, mtime, nlink, ino, dataOffset: dataStart });
		at = next;
	}
}

/** Offset of the first non-NUL byte at or after `offset` (archives are separated by NUL padding). */
export function skipZeros(buf: Buffer, offset: number): number {
	let at = offset;
	while (at < buf.length && buf[at] === 0) at++;
	return at;
}

/**
 * Parse consecutive archives from `offset` while a newc header follows (NUL padding between them is skipped).
 * Returns all entries and the offset where something that is not cpio starts (buf.length when done).
 */
export function parseCpioSequence(buf: Buffer, offset = 0): CpioArchive {
	const entries: CpioEntry[] = [];
	let at = skipZeros(buf, offset);
	while (at < buf.length && isCpioAt(buf, at)) {
		const archive = parseCpioArchive(buf, at);
		for (const entry of archive.entries) entries.push(entry);
		at = skipZeros(buf, archive.end);
	}
	return { entries, end: at };
}

/** The target of a symlink entry (stored as its data). */
export function cpioSymlinkTarget(buf: Buffer, entry: CpioEntry): string {
	return buf.toString('utf8', entry.dataOffset, entry.dataOffset + entry.size);
}
