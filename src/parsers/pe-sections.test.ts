import { describe, expect, it } from 'vitest';
import { findSection, readPeSections } from './pe-sections';

/** A minimal PE: MZ stub, PE header with no optional header, then the given sections' data. */
function buildPe(sections: Array<[string, Buffer]>): Buffer {
	const peOffset = 0x40;
	const table = peOffset + 24;
	let dataAt = table + sections.length * 40;
	const headers = Buffer.alloc(dataAt);
	headers.write('MZ', 0, 'latin1');
	headers.writeUInt32LE(peOffset, 0x3c);
	headers.write('PE\0\0', peOffset, 'latin1');
	headers.writeUInt16LE(sections.length, peOffset + 6);
	headers.writeUInt16LE(0, peOffset + 20);
	const bodies: Buffer[] = [];
	sections.forEach(([name, data], index) => {
		const at = table + index * 40;
		headers.write(name, at, 'latin1');
		const padded = Buffer.concat([data, Buffer.alloc(16 - (data.length % 16))]);
		headers.writeUInt32LE(data.length, at + 8);
		headers.writeUInt32LE(0x1000 * (index + 1), at + 12);
		headers.writeUInt32LE(padded.length, at + 16);
		headers.writeUInt32LE(dataAt, at + 20);
		dataAt += padded.length;
		bodies.push(padded);
	});
	return Buffer.concat([headers, ...bodies]);
}

describe('readPeSections', () => {
	it('lists sections and returns their data without padding', () => {
		const pe = buildPe([
			['.osrel', Buffer.from('ID=gentoo\n')],
			['.cmdline', Buffer.from('root=/dev/vda1')],
		]);
		expect(readPeSections(pe).map((s) => s.name)).toEqual(['.osrel', '.cmdline']);
		expect(findSection(pe, '.cmdline')?.toString()).toBe('root=/dev/vda1');
		expect(findSection(pe, '.linux')).toBeUndefined();
	});

	it('rejects files that are not PE images', () => {
		expect(() =>
			readPeSections(Buffer.from('not an image at all, just some text padding it out to 64 bytes....')),
		).toThrow(/missing MZ header/);
		const broken = buildPe([['.x', Buffer.from('y')]]);
		broken.write('XX', 0x40, 'latin1');
		expect(() => readPeSections(broken)).toThrow(/missing PE signature/);
	});
});
