// A cpio ByteSource over an open file: positional reads through a small window, so that walking the headers of a
// decompressed 100 MB image reads a few hundred KiB and never copies the file data it skips.
import { readSync } from 'node:fs';
import type { ByteSource } from '../../../parsers/cpio';

const WINDOW = 16 * 1024;

export function fileSource(fd: number, length: number): ByteSource {
	let window = Buffer.alloc(0);
	let windowAt = 0;
	return {
		length,
		bytes: (offset, count) => {
			const want = Math.max(0, Math.min(count, length - offset));
			if (offset >= windowAt && offset + want <= windowAt + window.length)
				return window.subarray(offset - windowAt, offset - windowAt + want);
			const size = Math.min(Math.max(want, WINDOW), length - offset);
			const buf = Buffer.allocUnsafe(size);
			let got = 0;
			while (got < size) {
				const n = readSync(fd, buf, got, size - got, offset + got);
				if (n === 0) break;
				got += n;
			}
			window = buf.subarray(0, got);
			windowAt = offset;
			return window.subarray(0, Math.min(want, got));
		},
	};
}

/** Moves the descriptor's own offset (shared with a child given it as stdin) to `to`, from 0, by reading. */
export function advanceTo(fd: number, to: number): void {
	const buf = Buffer.allocUnsafe(Math.min(to, 1 << 20));
	let done = 0;
	while (done < to) {
		const n = readSync(fd, buf, 0, Math.min(buf.length, to - done), null);
		if (n === 0) break;
		done += n;
	}
}
