// The newc archives of a stream read chunk by chunk (a decompressor's output as it comes): the same records, checks
// and errors as parseCpioSequence (cpio.ts), but file data is skipped as it passes and never kept, so listing a
// 100 MB image holds a few hundred bytes at a time. Pure: chunks in, entries out.
import {
	CPIO_HEADER_SIZE,
	CPIO_TRAILER,
	type CpioArchive,
	type CpioEntry,
	cpioAlign4,
	cpioEntry,
	readCpioHeader,
	readCpioName,
	truncatedData,
	truncatedHeader,
	truncatedName,
} from './cpio';

export interface CpioStream {
	/** The next bytes of the stream. Throws 'cpio.parse' for a bad record. */
	push(chunk: Buffer): void;
	/** The stream ended: every entry, and where something that is not cpio starts (the stream's length when done). */
	end(): CpioArchive;
}

const MAGIC = Buffer.from('07070');

export function createCpioStream(): CpioStream {
	const entries: CpioEntry[] = [];
	/** Bytes not consumed yet, starting at stream offset `heldAt`. */
	let held: Buffer = Buffer.alloc(0);
	let heldAt = 0;
	/** Stream offset up to which bytes are data to skip. */
	let skipTo = 0;
	let total = 0;
	/** Between archives (NUL padding, then a header or the end), inside one, or past the last one. */
	let mode: 'between' | 'record' | 'other' = 'between';
	let archiveAt = 0;
	/** Where non-cpio data starts (mode 'other'). */
	let otherAt = 0;
	/** The last record read (the trailer too): its data must end within the stream. */
	let lastRecord: { at: number; raw: string; size: number; dataEnd: number } | undefined;

	const consume = (to: number) => {
		held = to >= heldAt + held.length ? Buffer.alloc(0) : held.subarray(to - heldAt);
		heldAt = to;
	};

	const step = (): boolean => {
		if (mode === 'other') return false;
		if (mode === 'between') {
			let i = 0;
			while (i < held.length && held[i] === 0) i++;
			consume(heldAt + i);
			if (held.length === 0) return false;
			if (held.length < 6 && MAGIC.subarray(0, held.length).equals(held.subarray(0, Math.min(5, held.length))))
				return false;
			if (held.length >= 6 && held.subarray(0, 5).equals(MAGIC) && (held[5] === 0x31 || held[5] === 0x32)) {
				mode = 'record';
				archiveAt = heldAt;
				return true;
			}
			mode = 'other';
			otherAt = heldAt;
			return false;
		}
		const at = heldAt;
		if (held.length < CPIO_HEADER_SIZE) return false;
		const header = readCpioHeader(held.subarray(0, CPIO_HEADER_SIZE), at);
		if (held.length < CPIO_HEADER_SIZE + header.nameSize) return false;
		const raw = readCpioName(held.subarray(CPIO_HEADER_SIZE, CPIO_HEADER_SIZE + header.nameSize), header.nameSize, at);
		const nameEnd = at + CPIO_HEADER_SIZE + header.nameSize;
		const dataStart = archiveAt + cpioAlign4(nameEnd - archiveAt);
		const next = archiveAt + cpioAlign4(dataStart + header.size - archiveAt);
		if (raw === CPIO_TRAILER) mode = 'between';
		else entries.push(cpioEntry(raw, header, dataStart));
		lastRecord = { at, raw, size: header.size, dataEnd: dataStart + header.size };
		skipTo = next;
		consume(next);
		return true;
	};

	return {
		push: (chunk) => {
			const chunkAt = total;
			total += chunk.length;
			if (mode === 'other' || total <= skipTo) return;
			const fresh = skipTo > chunkAt ? chunk.subarray(skipTo - chunkAt) : chunk;
			if (held.length === 0) {
				held = fresh;
				heldAt = total - fresh.length;
			} else {
				held = Buffer.concat([held, fresh]);
			}
			while (step()) {
				if (skipTo > heldAt + held.length) break;
			}
			// keep only the few bytes of a record still to complete, not the whole chunk they came in
			if (held.length > 0 && held.length < 4096 && held.buffer.byteLength > 4096) held = Buffer.from(held);
		},
		end: (): CpioArchive => {
			if (mode === 'other') return { entries, end: otherAt };
			if (lastRecord && lastRecord.dataEnd > total) throw truncatedData(lastRecord.at, lastRecord.raw, lastRecord.size);
			if (mode === 'record') {
				// the next record would start past the end (its predecessor's padding), or stops inside its header or name
				if (skipTo > total) throw truncatedHeader(skipTo);
				if (held.length < CPIO_HEADER_SIZE) throw truncatedHeader(heldAt);
				throw truncatedName(heldAt);
			}
			// a few bytes that could have begun a header, then the end: not an archive
			if (held.length > 0) return { entries, end: heldAt };
			return { entries, end: total };
		},
	};
}
