// Which compressor produced an initramfs segment, from its magic bytes (the same table the kernel's
// lib/decompress.c uses). Pure: Buffer in.

export type Compression =
	| 'cpio'
	| 'gzip'
	| 'zstd'
	| 'xz'
	| 'lzma'
	| 'bzip2'
	| 'lz4-legacy'
	| 'lz4-frame'
	| 'lzo'
	| 'unknown';

const MAGICS: Array<[Compression, number[]]> = [
	['gzip', [0x1f, 0x8b]],
	['gzip', [0x1f, 0x9e]],
	['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
	['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
	['lzma', [0x5d, 0x00, 0x00]],
	['bzip2', [0x42, 0x5a, 0x68]],
	// `lz4 -l`: the legacy format the kernel's unlz4 understands.
	['lz4-legacy', [0x02, 0x21, 0x4c, 0x18]],
	['lz4-frame', [0x04, 0x22, 0x4d, 0x18]],
	['lzo', [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]],
	['cpio', [0x30, 0x37, 0x30, 0x37, 0x30]],
];

export function detectCompression(buf: Uint8Array, offset = 0): Compression {
	for (const [name, magic] of MAGICS) {
		if (buf.length - offset < magic.length) continue;
		if (magic.every((byte, i) => buf[offset + i] === byte)) return name;
	}
	return 'unknown';
}
