import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DistKernelError } from '../../../lib/errors';
import { createExec, type Exec } from '../../../lib/exec';
import { createMemoryLogger } from '../../../lib/log';
import { decompressSegment } from './decompress';

const payload = Buffer.from('070701'.repeat(5000));
const zstdData = execFileSync('zstd', ['-c', '-q'], { input: payload });

describe('zstd segments', () => {
	it('are decompressed by the system zstd when it exists', async () => {
		const calls: string[] = [];
		const real = createExec({ logger: createMemoryLogger() });
		const exec: Exec = (file, args, options) => {
			calls.push(file);
			return real(file, args, options);
		};
		expect(await decompressSegment(exec, 'zstd', zstdData)).toEqual(payload);
		expect(calls).toEqual(['zstd']);
	});

	it('with NUL padding after the stream are decoded in one run of the tool', async () => {
		const calls: string[] = [];
		const real = createExec({ logger: createMemoryLogger() });
		const exec: Exec = (file, args, options) => {
			calls.push(file);
			return real(file, args, options);
		};
		const padded = Buffer.concat([zstdData, Buffer.alloc(512)]);
		expect(await decompressSegment(exec, 'zstd', padded)).toEqual(payload);
		expect(calls).toEqual(['zstd']);
	});

	it('that are corrupt give a typed error', async () => {
		const exec = createExec({ logger: createMemoryLogger() });
		const corrupt = Buffer.from(zstdData);
		corrupt.fill(0x55, 4, corrupt.length - 2);
		await expect(decompressSegment(exec, 'zstd', corrupt)).rejects.toBeInstanceOf(DistKernelError);
	});

	it('fall back to the pure-JS decoder when zstd is not installed', async () => {
		const exec: Exec = async (file) => {
			throw new DistKernelError('exec.not-found', `command not found: ${file}`);
		};
		expect(await decompressSegment(exec, 'zstd', zstdData)).toEqual(payload);
	});
});

describe('truncated streams', () => {
	// The xz footer never ends with NUL, but a stream cut in the middle may: a cut right after a NUL byte is what
	// once made partial output count as the segment (cpio.parse instead of initramfs.decompress).
	const big = Buffer.concat(Array.from({ length: 12 }, (_, i) => Buffer.from(`${i} `.repeat(2000 + i * 37))));
	const cases: Array<[string, string, string[], string]> = [
		['xz', 'xz', ['-c', '--check=crc32'], 'xz'],
		['zstd', 'zstd', ['-qc'], 'zstd'],
		['lz4 -l', 'lz4', ['-qlc'], 'lz4-legacy'],
		['lz4', 'lz4', ['-qc'], 'lz4-frame'],
		['bzip2', 'bzip2', ['-c'], 'bzip2'],
	];
	it.each(cases)(
		'%s: cut after a NUL byte or anywhere is a typed initramfs.decompress error',
		async (_label, file, args, compression) => {
			const exec = createExec({ logger: createMemoryLogger() });
			const stream = execFileSync(file, args, { input: big });
			const nulCuts: number[] = [];
			for (let i = Math.floor(stream.length / 4); i < stream.length - 8 && nulCuts.length < 3; i++)
				if (stream[i] === 0) nulCuts.push(i + 1);
			for (const cut of [...nulCuts, stream.length >> 1, stream.length - 1]) {
				await expect(decompressSegment(exec, compression as 'xz', stream.subarray(0, cut))).rejects.toMatchObject({
					code: 'initramfs.decompress',
				});
			}
			expect(await decompressSegment(exec, compression as 'xz', Buffer.concat([stream, Buffer.alloc(64)]))).toEqual(
				big,
			);
		},
	);
});
