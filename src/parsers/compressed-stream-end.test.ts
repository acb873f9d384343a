import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compressedStreamEnd } from './compressed-stream-end';

// Inputs made by the real tools once; the parser itself only sees Buffers.
const payload = Buffer.concat([Buffer.from('070701'.repeat(3000)), Buffer.alloc(4096)]);
const tool = (file: string, args: string[], input: Buffer = payload) => execFileSync(file, args, { input });
const pad = (data: Buffer, n: number) => Buffer.concat([data, Buffer.alloc(n)]);

describe('compressedStreamEnd', () => {
	it.each([
		['zstd', 'zstd', ['-qc']],
		['zstd', 'zstd', ['-qc', '--no-check', '--content-size']],
		['lz4-frame', 'lz4', ['-qc']],
		['lz4-frame', 'lz4', ['-qc', '-BD', '--content-size', '-BX']],
		['lz4-legacy', 'lz4', ['-qlc']],
		['xz', 'xz', ['-c', '--check=crc32']],
	] as const)('finds the end of a %s stream (%s %j) with or without NUL padding', (compression, file, args) => {
		const stream = tool(file, [...args]);
		expect(compressedStreamEnd(compression, stream)).toBe(stream.length);
		for (const n of [1, 3, 4, 512]) expect(compressedStreamEnd(compression, pad(stream, n))).toBe(stream.length);
	});

	it('walks concatenated zstd frames and skippable frames', () => {
		const one = tool('zstd', ['-qc']);
		const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
		const all = Buffer.concat([one, skippable, one]);
		expect(compressedStreamEnd('zstd', pad(all, 100))).toBe(all.length);
	});

	it('gives undefined for a truncated or broken frame, and for formats without framing', () => {
		const zstd = tool('zstd', ['-qc']);
		const lz4 = tool('lz4', ['-qc']);
		for (let cut = 5; cut < zstd.length; cut += 7)
			expect(compressedStreamEnd('zstd', zstd.subarray(0, cut))).toBeUndefined();
		for (let cut = 5; cut < lz4.length; cut += 7)
			expect(compressedStreamEnd('lz4-frame', lz4.subarray(0, cut))).toBeUndefined();
		expect(compressedStreamEnd('lz4-legacy', Buffer.from([1, 2, 3, 4, 5]))).toBeUndefined();
		expect(compressedStreamEnd('xz', Buffer.alloc(8))).toBeUndefined();
		expect(compressedStreamEnd('bzip2', tool('bzip2', ['-c']))).toBeUndefined();
		expect(compressedStreamEnd('gzip', tool('gzip', ['-c']))).toBeUndefined();
	});
});
