// Decompressors for initramfs segments: gzip through node:zlib; zstd through the system `zstd` (≈2× faster than
// the pure-JS fzstd, measured in bench/) with fzstd as the fallback when the tool is absent; xz/lzma/lz4/bzip2
// through the system tools via the exec wrapper (Node 20 has none of them). A tool reads the image file itself
// when it can (its descriptor as stdin) and writes into a spool file whose cpio headers are then read in place:
// the decompressed image (often over 100 MB) is never copied into memory.
import { fstatSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { DistKernelError, isDistKernelError } from '../../lib/errors';
import type { Exec } from '../../lib/exec';
import { openSpool } from '../../lib/spool';
import { compressedStreamEnd } from '../../parsers/compressed-stream-end';
import { bufferSource, type ByteSource } from '../../parsers/cpio';
import type { Compression } from '../../parsers/initramfs-compression';
import { fileSource } from './file-source';

const TOOLS: Partial<Record<Compression, [string, string[]]>> = {
	zstd: ['zstd', ['-dc', '-q']],
	xz: ['xz', ['-dc', '-q']],
	lzma: ['xz', ['-dc', '-q', '--format=lzma']],
	bzip2: ['bzip2', ['-dc', '-q']],
	'lz4-legacy': ['lz4', ['-dc', '-q']],
	'lz4-frame': ['lz4', ['-dc', '-q']],
	lzo: ['lzop', ['-dc', '-q']],
};

/** A decompressed segment to read (in a spool file or in memory); close() frees it. */
export interface DecompressedSegment {
	source: ByteSource;
	close(): void;
}

/**
 * A compressed segment that runs to the end of the image: its bytes, or an image file whose descriptor is at the
 * segment's start and whose last byte is not NUL (no padding to strip), with `load` reading the bytes when needed.
 */
export type SegmentInput = Buffer | { fd: number; load(): Buffer };

function failed(compression: Compression, cause: unknown): DistKernelError {
	return new DistKernelError('initramfs.decompress', `cannot decompress initramfs segment: ${compression}`, {
		details: cause instanceof Error ? cause.message : String(cause),
		cause,
	});
}

const unsupported = (compression: Compression) =>
	new DistKernelError('initramfs.format', `unsupported initramfs segment: ${compression}`, {
		hint: 'expected newc cpio, optionally compressed with gzip, zstd, xz, lzma, bzip2 or lz4',
	});

const inMemory = (data: Buffer | Uint8Array): DecompressedSegment => ({
	source: bufferSource(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
	close: () => undefined,
});

/** Strip the NUL padding that may follow the last compressed stream. */
function trimZeros(data: Buffer): Buffer {
	let end = data.length;
	while (end > 0 && data[end - 1] === 0) end--;
	return data.subarray(0, end);
}

/** Exit status alone decides: output of a failed run is partial (a truncated stream) and is never used. */
async function runTool(exec: Exec, compression: Compression, stdin: { input: Buffer } | { stdinFd: number }): Promise<DecompressedSegment> {
	const tool = TOOLS[compression];
	if (!tool) throw unsupported(compression);
	const [file, args] = tool;
	const spool = openSpool();
	try {
		const result = await exec(file, args, { ...stdin, stdoutFd: spool.fd, timeout: 120_000, allowFailure: true });
		if (result.exitCode !== 0) {
			throw new DistKernelError('exec.failed', `command failed with exit code ${result.exitCode}: ${result.command}`, { details: result.stderr.trim() });
		}
		return { source: fileSource(spool.fd, fstatSync(spool.fd).size), close: spool.close };
	} catch (error) {
		spool.close();
		throw error;
	}
}

async function decompressOnce(exec: Exec, compression: Compression, data: Buffer): Promise<DecompressedSegment> {
	if (compression === 'gzip') return inMemory(gunzipSync(data));
	try {
		return await runTool(exec, compression, { input: data });
	} catch (error) {
		if (compression !== 'zstd' || !isDistKernelError(error, 'exec.not-found')) throw error;
		return inMemory(zstdDecompress(data));
	}
}

function allZero(data: Buffer, from: number): boolean {
	for (let i = from; i < data.length; i++) if (data[i] !== 0) return false;
	return true;
}

/**
 * Decompress one segment that runs to the end of the image. NUL padding after the stream (added by some tools to
 * align the image) is legal for the kernel but not for every decompressor: where the framing tells where the
 * stream ends, only the stream is decoded (one run); otherwise a failure is retried without the padding.
 */
export async function openDecompressed(exec: Exec, compression: Compression, input: SegmentInput): Promise<DecompressedSegment> {
	if (!Buffer.isBuffer(input)) {
		if (compression === 'gzip' || !TOOLS[compression]) return openDecompressed(exec, compression, input.load());
		try {
			return await runTool(exec, compression, { stdinFd: input.fd });
		} catch (error) {
			if (compression === 'zstd' && isDistKernelError(error, 'exec.not-found')) return inMemory(zstdDecompress(input.load()));
			if (isDistKernelError(error, 'exec.not-found')) throw error;
			throw failed(compression, error);
		}
	}
	const data = input;
	const end = compressedStreamEnd(compression, data);
	const stream = end !== undefined && allZero(data, end) ? data.subarray(0, end) : data;
	try {
		return await decompressOnce(exec, compression, stream);
	} catch (error) {
		if (isDistKernelError(error, 'exec.not-found') || isDistKernelError(error, 'initramfs.format')) throw error;
		const trimmed = trimZeros(stream);
		if (end === undefined && trimmed.length < stream.length) {
			try {
				return await decompressOnce(exec, compression, trimmed);
			} catch {
				// Report the first failure: it describes the image as it is.
			}
		}
		throw failed(compression, error);
	}
}

/** The whole decompressed segment in memory. */
export async function decompressSegment(exec: Exec, compression: Compression, data: Buffer): Promise<Buffer> {
	const segment = await openDecompressed(exec, compression, data);
	try {
		return Buffer.from(segment.source.bytes(0, segment.source.length));
	} finally {
		segment.close();
	}
}
