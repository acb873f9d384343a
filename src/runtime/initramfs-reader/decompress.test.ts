import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DistKernelError } from '../../lib/errors';
import { createExec, type Exec } from '../../lib/exec';
import { createMemoryLogger } from '../../lib/log';
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
