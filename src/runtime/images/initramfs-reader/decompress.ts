// Decompressors for initramfs segments: gzip through node:zlib; zstd through the system `zstd` (≈2× faster than
// the pure-JS fzstd, measured in bench/) with fzstd as the fallback when the tool is absent; xz/lzma/lz4/bzip2
// through the system tools via the exec wrapper (Node 20 has none of them). A tool reads the image file itself when
// it can (its descriptor as stdin). A listing never holds the decompressed image (often over 100 MB) in memory:
// the tool writes it into a private temporary file (lib/spool.ts) and only the cpio headers are read back, by
// position, skipping every file's data (file-source.ts). Through a pipe, Node's 64 KiB reads cost more CPU than
// the decompression itself (bench P5). When the temporary directory has no room for it, the output is read from
// the pipe as it comes instead (parsers/cpio-stream.ts walks the headers on the fly).
import { fstatSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import type { Exec } from '../../../lib/exec';
import { openSpool, type Spool } from '../../../lib/spool';
import { compressedStreamEnd } from '../../../parsers/compressed-stream-end';
import { type ByteSource, type CpioArchive, parseCpioSequence } from '../../../parsers/cpio';
import { createCpioStream } from '../../../parsers/cpio-stream';
import type { Compression } from '../../../parsers/initramfs-compression';
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

/**
 * A compressed segment that runs to the end of the image: its bytes, or an image file whose descriptor is at the
 * segment's start and whose last byte is not NUL (no padding to strip), with `load` reading the bytes when needed.
 */
export type SegmentInput = Buffer | { fd: number; load(): Buffer };

/**
 * What is done with the decompressed bytes: all at once when they are in memory, chunk by chunk from a tool, or
 * (when given) by reading the tool's output file where it needs to.
 */
interface Consumer<T> {
	whole(data: Buffer): T;
	stream(): { push(chunk: Buffer): void; end(length: number): T };
	file?(source: ByteSource): T;
}

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

/** Strip the NUL padding that may follow the last compressed stream. */
function trimZeros(data: Buffer): Buffer {
	let end = data.length;
	while (end > 0 && data[end - 1] === 0) end--;
	return data.subarray(0, end);
}

/**
 * Exit status alone decides: output of a failed run is partial (a truncated stream) and is never used, not even a
 * cpio error found in it; a cpio error in the output of a successful run is reported once the tool is done.
 */
async function runTool<T>(
	exec: Exec,
	compression: Compression,
	stdin: { input: Buffer } | { stdinFd: number },
	consumer: Consumer<T>,
): Promise<T> {
	const tool = TOOLS[compression];
	if (!tool) throw unsupported(compression);
	const [file, args] = tool;
	const spool = consumer.file ? openSpoolOrNot() : undefined;
	if (spool && consumer.file) {
		try {
			const result = await exec(file, args, { ...stdin, stdoutFd: spool.fd, timeout: 120_000, allowFailure: true });
			if (result.exitCode !== 0) {
				// the temporary directory filled up: the caller reads the output through a pipe instead
				if (/no space left on device|disk quota exceeded/i.test(result.stderr))
					throw new DistKernelError('exec.spool', `no room for the decompressed initramfs in ${spool.path}`, {
						details: result.stderr.trim(),
					});
				throw toolFailed(result.exitCode, result.command, result.stderr);
			}
			return consumer.file(fileSource(spool.fd, fstatSync(spool.fd).size));
		} finally {
			spool.close();
		}
	}
	const sink = consumer.stream();
	let length = 0;
	let parseError: unknown;
	const onStdout = (chunk: Buffer) => {
		length += chunk.length;
		if (parseError !== undefined) return;
		try {
			sink.push(chunk);
		} catch (error) {
			parseError = error;
		}
	};
	const result = await exec(file, args, { ...stdin, onStdout, timeout: 120_000, allowFailure: true });
	if (result.exitCode !== 0) throw toolFailed(result.exitCode, result.command, result.stderr);
	if (parseError !== undefined) throw parseError;
	return sink.end(length);
}

const toolFailed = (exitCode: number, command: string, stderr: string) =>
	new DistKernelError('exec.failed', `command failed with exit code ${exitCode}: ${command}`, {
		details: stderr.trim(),
	});

/** The same consumer without its file reader: the tool's output is read from the pipe. */
const piped = <T>({ whole, stream }: Consumer<T>): Consumer<T> => ({ whole, stream });

/** A spool, or none when the temporary directory cannot take a file (then the pipe is read). */
function openSpoolOrNot(): Spool | undefined {
	try {
		return openSpool();
	} catch (error) {
		if (isDistKernelError(error, 'exec.spool')) return undefined;
		throw error;
	}
}

async function decompressOnce<T>(
	exec: Exec,
	compression: Compression,
	data: Buffer,
	consumer: Consumer<T>,
): Promise<T> {
	if (compression === 'gzip') return consumer.whole(gunzipSync(data));
	try {
		return await runTool(exec, compression, { input: data }, consumer);
	} catch (error) {
		if (compression !== 'zstd' || !isDistKernelError(error, 'exec.not-found')) throw error;
		const out = zstdDecompress(data);
		return consumer.whole(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
	}
}

function allZero(data: Buffer, from: number): boolean {
	for (let i = from; i < data.length; i++) if (data[i] !== 0) return false;
	return true;
}

/** cpio.parse errors of the decompressed stream pass through; only the decompressor's own failures are wrapped. */
const passThrough = (error: unknown) =>
	isDistKernelError(error, 'exec.not-found') ||
	isDistKernelError(error, 'exec.spool') ||
	isDistKernelError(error, 'initramfs.format') ||
	isDistKernelError(error, 'cpio.parse');

/**
 * Decompress one segment that runs to the end of the image. NUL padding after the stream (added by some tools to
 * align the image) is legal for the kernel but not for every decompressor: where the framing tells where the
 * stream ends, only the stream is decoded (one run); otherwise a failure is retried without the padding.
 */
async function decompress<T>(
	exec: Exec,
	compression: Compression,
	input: SegmentInput,
	consumer: Consumer<T>,
): Promise<T> {
	if (!Buffer.isBuffer(input)) {
		if (compression === 'gzip' || !TOOLS[compression]) return decompress(exec, compression, input.load(), consumer);
		try {
			return await runTool(exec, compression, { stdinFd: input.fd }, consumer);
		} catch (error) {
			// the tool has moved the descriptor: the retries read the segment's bytes by position
			if (compression === 'zstd' && isDistKernelError(error, 'exec.not-found'))
				return decompress(exec, compression, input.load(), consumer);
			if (isDistKernelError(error, 'exec.spool')) return decompress(exec, compression, input.load(), piped(consumer));
			if (passThrough(error)) throw error;
			throw failed(compression, error);
		}
	}
	const data = input;
	const end = compressedStreamEnd(compression, data);
	const stream = end !== undefined && allZero(data, end) ? data.subarray(0, end) : data;
	try {
		return await decompressOnce(exec, compression, stream, consumer);
	} catch (error) {
		if (isDistKernelError(error, 'exec.spool') && consumer.file)
			return decompress(exec, compression, data, piped(consumer));
		if (passThrough(error)) throw error;
		const trimmed = trimZeros(stream);
		if (end === undefined && trimmed.length < stream.length) {
			try {
				return await decompressOnce(exec, compression, trimmed, consumer);
			} catch {
				// Report the first failure: it describes the image as it is.
			}
		}
		throw failed(compression, error);
	}
}

/** The cpio archives in a compressed segment, and the decompressed length (bytes after them are an error). */
export function listCompressedSegment(
	exec: Exec,
	compression: Compression,
	input: SegmentInput,
): Promise<{ archive: CpioArchive; length: number }> {
	return decompress(exec, compression, input, {
		whole: (data) => ({ archive: parseCpioSequence(data, 0), length: data.length }),
		stream: () => {
			const cpio = createCpioStream();
			return { push: (chunk) => cpio.push(chunk), end: (length) => ({ archive: cpio.end(), length }) };
		},
		file: (source) => ({ archive: parseCpioSequence(source, 0), length: source.length }),
	});
}

/** The whole decompressed segment in memory. */
export function decompressSegment(exec: Exec, compression: Compression, data: Buffer): Promise<Buffer> {
	return decompress(exec, compression, data, {
		whole: (out) => out,
		stream: () => {
			const chunks: Buffer[] = [];
			return { push: (chunk) => void chunks.push(chunk), end: () => Buffer.concat(chunks) };
		},
	});
}
