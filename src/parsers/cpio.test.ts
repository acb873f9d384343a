import { describe, expect, it } from 'vitest';
import { cpioSymlinkTarget, isCpioAt, parseCpioArchive, parseCpioSequence } from './cpio';

/** One newc record, as `cpio -H newc` writes it. */
function record(name: string, mode: number, data = ''): Buffer {
	const hex = (n: number) => n.toString(16).padStart(8, '0');
	const header = `070701${hex(1)}${hex(mode)}${hex(0)}${hex(0)}${hex(1)}${hex(0)}${hex(Buffer.byteLength(data))}${hex(0)}${hex(0)}${hex(0)}${hex(0)}${hex(Buffer.byteLength(name) + 1)}${hex(0)}`;
	const head = Buffer.concat([Buffer.from(header), Buffer.from(`${name}\0`)]);
	const pad1 = Buffer.alloc((4 - (head.length % 4)) % 4);
	const body = Buffer.from(data);
	const pad2 = Buffer.alloc((4 - (body.length % 4)) % 4);
	return Buffer.concat([head, pad1, body, pad2]);
}
const archive = (...records: Buffer[]) => Buffer.concat([...records, record('TRAILER!!!', 0)]);

describe('parseCpioArchive', () => {
	it('reads names, types, sizes and data offsets', () => {
		const buf = archive(
			record('.', 0o40755),
			record('./usr/lib/modules/6.1/extra/zfs.ko', 0o100644, 'ELF!x'),
			record('lib', 0o120777, 'usr/lib'),
		);
		const { entries, end } = parseCpioArchive(buf);
		expect(end).toBe(buf.length);
		expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
			['.', 'directory', 0],
			['usr/lib/modules/6.1/extra/zfs.ko', 'file', 5],
			['lib', 'symlink', 7],
		]);
		expect(buf.toString('utf8', entries[1]!.dataOffset, entries[1]!.dataOffset + 5)).toBe('ELF!x');
		expect(cpioSymlinkTarget(buf, entries[2]!)).toBe('usr/lib');
	});

	it('reads archives separated by NUL padding (early microcode + main)', () => {
		const first = archive(record('kernel/x86/microcode/GenuineIntel.bin', 0o100644, 'ucode'));
		const second = archive(record('init', 0o100755, '#!/bin/sh\n'));
		const buf = Buffer.concat([first, Buffer.alloc(512 - (first.length % 512)), second, Buffer.alloc(100)]);
		const seq = parseCpioSequence(buf);
		expect(seq.entries.map((e) => e.name)).toEqual(['kernel/x86/microcode/GenuineIntel.bin', 'init']);
		expect(seq.end).toBe(buf.length);
	});

	it('stops the sequence where something else starts', () => {
		const first = archive(record('a', 0o100644, 'x'));
		const buf = Buffer.concat([first, Buffer.from([0x1f, 0x8b, 8, 0])]);
		expect(parseCpioSequence(buf).end).toBe(first.length);
		expect(isCpioAt(buf, first.length)).toBe(false);
	});

	it.each([
		['bad magic', Buffer.from('070707'.padEnd(120, '0'))],
		['truncated header', Buffer.from('070701000')],
		['no trailer', record('a', 0o100644, 'x')],
		['non-hex field', Buffer.from(`070701${'g'.repeat(104)}`)],
	])('rejects %s with cpio.parse', (_label, buf) => {
		expect(() => parseCpioArchive(buf)).toThrow(expect.objectContaining({ code: 'cpio.parse' }));
	});

	it('rejects data running past the end', () => {
		const rec = record('a', 0o100644, 'xxxxxxxx');
		expect(() => parseCpioArchive(rec.subarray(0, rec.length - 6))).toThrow(
			expect.objectContaining({ code: 'cpio.parse' }),
		);
	});
});
