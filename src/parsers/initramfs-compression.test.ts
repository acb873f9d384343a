import { describe, expect, it } from 'vitest';
import { detectCompression } from './initramfs-compression';

describe('detectCompression', () => {
	it.each([
		[[0x1f, 0x8b, 8], 'gzip'],
		[[0x28, 0xb5, 0x2f, 0xfd, 0], 'zstd'],
		[[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz'],
		[[0x02, 0x21, 0x4c, 0x18], 'lz4-legacy'],
		[[0x04, 0x22, 0x4d, 0x18], 'lz4-frame'],
		[[0x42, 0x5a, 0x68, 0x39], 'bzip2'],
		[[0x5d, 0, 0, 0x80], 'lzma'],
		[[...Buffer.from('070701')], 'cpio'],
		[[1, 2, 3], 'unknown'],
		[[], 'unknown'],
	])('%j is %s', (bytes, expected) => {
		expect(detectCompression(Uint8Array.from(bytes as number[]))).toBe(expected);
	});
	it('looks at an offset', () => {
		expect(detectCompression(Uint8Array.from([0, 0, 0x1f, 0x8b]), 2)).toBe('gzip');
	});
});
