// Where a compressed initramfs segment ends, from its framing alone (no decoding). The decompressor is then given
// exactly the stream, so its exit status alone decides success: NUL padding after the stream (legal for the
// kernel) makes xz, zstd and lz4 fail, and partial output of a failed run must never count as the segment.
// Pure: Buffer in. Framing per the xz file format 1.x §2.1, RFC 8878 §3.1 (zstd), lz4 frame format 1.6.x.
import type { Compression } from './initramfs-compression';

const ZSTD_MAGIC = 0xfd2fb528;
const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_LEGACY_MAGIC = 0x184c2102;

/** Skippable frames (zstd and lz4): magic 0x184D2A50–5F, a 32-bit size, then that many bytes. */
function isSkippable(magic: number): boolean {
	return magic >>> 4 === 0x184d2a5;
}

function zstdFrameEnd(data: Buffer, at: number): number | undefined {
	let p = at + 4;
	if (p >= data.length) return undefined;
	const fhd = data[p++]!;
	if (fhd & 0x08) return undefined; // reserved bit
	const single = (fhd >> 5) & 1;
	p += single ? 0 : 1;
	p += [0, 1, 2, 4][fhd & 3]!;
	p += [single, 2, 4, 8][fhd >> 6]!;
	for (;;) {
		if (p + 3 > data.length) return undefined;
		const header = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
		p += 3;
		const type = (header >> 1) & 3;
		if (type === 3) return undefined;
		p += type === 1 ? 1 : header >>> 3;
		if (header & 1) break;
	}
	p += fhd & 0x04 ? 4 : 0;
	return p <= data.length ? p : undefined;
}

function lz4FrameEnd(data: Buffer, at: number): number | undefined {
	let p = at + 4;
	if (p + 3 > data.length) return undefined;
	const flg = data[p]!;
	if (flg >> 6 !== 1) return undefined;
	p += 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
	for (;;) {
		if (p + 4 > data.length) return undefined;
		const size = data.readUInt32LE(p);
		p += 4;
		if (size === 0) break;
		p += (size & 0x7fffffff) + (flg & 0x10 ? 4 : 0);
	}
	p += flg & 0x04 ? 4 : 0;
	return p <= data.length ? p : undefined;
}

/** Consecutive frames of a framed format; undefined when the framing is broken or runs past the end. */
function framesEnd(
	data: Buffer,
	magic: number,
	frameEnd: (data: Buffer, at: number) => number | undefined,
): number | undefined {
	let at = 0;
	while (at + 4 <= data.length) {
		const word = data.readUInt32LE(at);
		if (word === magic) {
			const end = frameEnd(data, at);
			if (end === undefined) return undefined;
			at = end;
		} else if (isSkippable(word)) {
			if (at + 8 > data.length) return undefined;
			at += 8 + data.readUInt32LE(at + 4);
		} else {
			break;
		}
	}
	return at > 0 && at <= data.length ? at : undefined;
}

/** `lz4 -l`: the magic, then blocks of (32-bit size, data) to the end, a zero size, or another legacy stream. */
function lz4LegacyEnd(data: Buffer): number | undefined {
	let p = 0;
	while (p + 4 <= data.length) {
		const size = data.readUInt32LE(p);
		if (size === LZ4_LEGACY_MAGIC) {
			p += 4;
			continue;
		}
		if (size === 0) break;
		if (p === 0) return undefined;
		p += 4 + size;
	}
	return p > 0 && p <= data.length ? p : undefined;
}

/**
 * The length of the compressed stream(s) at the start of `data`, or undefined when the format's framing does not
 * tell (then the whole buffer goes to the decompressor). A truncated or broken frame also gives undefined.
 */
export function compressedStreamEnd(compression: Compression, data: Buffer): number | undefined {
	switch (compression) {
		case 'xz': {
			// A stream ends with its footer magic "YZ", never with NUL: everything after the last non-NUL byte is
			// stream padding.
			let end = data.length;
			while (end > 0 && data[end - 1] === 0) end--;
			return end > 0 ? end : undefined;
		}
		case 'zstd':
			return framesEnd(data, ZSTD_MAGIC, zstdFrameEnd);
		case 'lz4-frame':
			return framesEnd(data, LZ4_FRAME_MAGIC, lz4FrameEnd);
		case 'lz4-legacy':
			return lz4LegacyEnd(data);
		default:
			return undefined;
	}
}
