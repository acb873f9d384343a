// Builds small but complete newc cpio archives as fuzz seeds: files, a directory, a symlink, two archives in a
// row separated by NUL padding (how dracut lays out early microcode before the main image).

interface SeedEntry {
	name: string;
	mode: number;
	data?: string;
}

function pad4(length: number): number {
	return (4 - (length % 4)) % 4;
}

function header(ino: number, entry: SeedEntry, size: number): string {
	const fields = [ino, entry.mode, 0, 0, 1, 1_700_000_000, size, 0, 0, 0, 0, entry.name.length + 1, 0];
	return `070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`;
}

export function buildCpio(entries: readonly SeedEntry[]): Buffer {
	const parts: Buffer[] = [];
	let length = 0;
	const push = (buf: Buffer) => {
		parts.push(buf);
		length += buf.length;
	};
	[...entries, { name: 'TRAILER!!!', mode: 0 }].forEach((entry, index) => {
		const data = Buffer.from(entry.data ?? '');
		push(Buffer.from(`${header(index + 1, entry, data.length)}${entry.name}\0`, 'latin1'));
		push(Buffer.alloc(pad4(length)));
		push(data);
		push(Buffer.alloc(pad4(length)));
	});
	return Buffer.concat(parts);
}

export function cpioSeeds(): Buffer[] {
	const main = buildCpio([
		{ name: '.', mode: 0o40755 },
		{ name: 'etc', mode: 0o40755 },
		{ name: 'etc/initrd-release', mode: 0o100644, data: 'NAME=dracut\nID=dracut\n' },
		{ name: 'bin', mode: 0o120777, data: 'usr/bin' },
		{ name: 'usr/lib/modules/6.1.0-gentoo-dist/kernel/fs/zfs.ko', mode: 0o100644, data: 'x'.repeat(37) },
		{ name: 'init', mode: 0o100755, data: '#!/bin/sh\nexec /sbin/init\n' },
	]);
	const early = buildCpio([
		{ name: 'kernel', mode: 0o40755 },
		{ name: 'kernel/x86/microcode/GenuineIntel.bin', mode: 0o100644, data: '\x01\x02\x03' },
	]);
	return [main, early, Buffer.concat([early, Buffer.alloc(512), main]), buildCpio([])];
}
