// PE/COFF section table of an EFI image (a UKI): names, sizes and contents. Pure: takes the file's bytes.
// Layout per the Microsoft PE format spec: e_lfanew at 0x3c, "PE\0\0", 20-byte COFF header, optional header,
// then 40-byte section headers.
import { DistKernelError } from '../lib/errors';

export interface PeSection {
	name: string;
	virtualSize: number;
	virtualAddress: number;
	rawSize: number;
	rawOffset: number;
}

function peError(message: string): DistKernelError {
	return new DistKernelError('pe.parse', `not a valid PE image: ${message}`);
}

export function readPeSections(image: Uint8Array): PeSection[] {
	const buf = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
	if (buf.length < 0x40 || buf.toString('latin1', 0, 2) !== 'MZ') throw peError('missing MZ header');
	const peOffset = buf.readUInt32LE(0x3c);
	if (peOffset + 24 > buf.length || buf.toString('latin1', peOffset, peOffset + 4) !== 'PE\0\0')
		throw peError('missing PE signature');
	const count = buf.readUInt16LE(peOffset + 6);
	const optionalSize = buf.readUInt16LE(peOffset + 20);
	const table = peOffset + 24 + optionalSize;
	if (table + count * 40 > buf.length) throw peError('section table past the end of the file');
	const sections: PeSection[] = [];
	for (let index = 0; index < count; index += 1) {
		const at = table + index * 40;
		const rawName = buf.subarray(at, at + 8);
		const nul = rawName.indexOf(0);
		sections.push({
			name: rawName.toString('latin1', 0, nul < 0 ? 8 : nul),
			virtualSize: buf.readUInt32LE(at + 8),
			virtualAddress: buf.readUInt32LE(at + 12),
			rawSize: buf.readUInt32LE(at + 16),
			rawOffset: buf.readUInt32LE(at + 20),
		});
	}
	return sections;
}

/** The bytes of a section: its raw data trimmed to the virtual size (the rest is file alignment padding). */
export function sectionData(image: Uint8Array, section: PeSection): Buffer {
	const length = section.virtualSize > 0 ? Math.min(section.virtualSize, section.rawSize) : section.rawSize;
	if (section.rawOffset + length > image.byteLength) throw peError(`section ${section.name} past the end of the file`);
	return Buffer.from(image.buffer, image.byteOffset + section.rawOffset, length);
}

export function findSection(image: Uint8Array, name: string): Buffer | undefined {
	const section = readPeSections(image).find((s) => s.name === name);
	return section ? sectionData(image, section) : undefined;
}
