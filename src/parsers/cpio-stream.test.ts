import { describe, expect, it } from 'vitest';
import { createRandom, mutate, pickInt } from '../../test/helpers/fuzz-mutate';
import { parseCpioSequence } from './cpio';
import { createCpioStream } from './cpio-stream';

/** One newc record, as `cpio -H newc` writes it. */
function record(name: string, mode: number, data: string | Buffer = ''): Buffer {
	const body = Buffer.from(data);
	const hex = (n: number) => n.toString(16).padStart(8, '0');
	const header = `070701${hex(1)}${hex(mode)}${hex(0)}${hex(0)}${hex(1)}${hex(0)}${hex(body.length)}${hex(0)}${hex(0)}${hex(0)}${hex(0)}${hex(Buffer.byteLength(name) + 1)}${hex(0)}`;
	const head = Buffer.concat([Buffer.from(header), Buffer.from(`${name}\0`)]);
	return Buffer.concat([
		head,
		Buffer.alloc((4 - (head.length % 4)) % 4),
		body,
		Buffer.alloc((4 - (body.length % 4)) % 4),
	]);
}
const archive = (...records: Buffer[]) => Buffer.concat([...records, record('TRAILER!!!', 0)]);

/** The stream reader's answer for `input` cut into chunks at `cuts`: the archive, or the error's code and message. */
function streamed(input: Buffer, cuts: number[]): unknown {
	const stream = createCpioStream();
	try {
		let at = 0;
		for (const cut of [...cuts.filter((c) => c > 0 && c < input.length).sort((a, b) => a - b), input.length]) {
			stream.push(input.subarray(at, cut));
			at = cut;
		}
		return stream.end();
	} catch (error) {
		return { code: (error as { code?: string }).code, message: (error as Error).message };
	}
}

function whole(input: Buffer): unknown {
	try {
		return parseCpioSequence(input);
	} catch (error) {
		return { code: (error as { code?: string }).code, message: (error as Error).message };
	}
}

const early = archive(
	record('kernel', 0o40755),
	record('kernel/x86/microcode/GenuineIntel.bin', 0o100644, Buffer.alloc(1000, 9)),
);
const main = archive(
	record('.', 0o40755),
	record('usr/lib/modules/6.1/extra/zfs.ko', 0o100644, Buffer.alloc(70_000, 1)),
	record('lib', 0o120777, 'usr/lib'),
	record('a b', 0o100644, 'x'),
);
const samples: [string, Buffer][] = [
	['one archive', main],
	[
		'early + main with NUL padding between and after',
		Buffer.concat([early, Buffer.alloc(512 - (early.length % 512)), main, Buffer.alloc(300)]),
	],
	['something else after the archives', Buffer.concat([main, Buffer.from([0x1f, 0x8b, 8, 0])])],
	['a few bytes after the archive that look like a header', Buffer.concat([main, Buffer.from('0707')])],
	['truncated in the data', main.subarray(0, main.length - 2000)],
	['truncated in a header', main.subarray(0, 130)],
	['no trailer', record('a', 0o100644, 'xyz')],
	['empty', Buffer.alloc(0)],
	// a size past 2^31: alignment must not wrap to a negative offset
	[
		'a size of 0x99999999',
		Buffer.concat([
			Buffer.from(`${record('a', 0o100644, 'x').toString('latin1', 0, 54)}99999999`, 'latin1'),
			record('a', 0o100644, 'x').subarray(62),
		]),
	],
];

describe('the cpio stream reader reads what parseCpioSequence reads, however the stream is cut', () => {
	it.each(samples)('%s', (_label, input) => {
		const expected = whole(input);
		const rand = createRandom(input.length);
		for (let round = 0; round < 200; round++) {
			const cuts = Array.from({ length: pickInt(rand, 8) }, () => pickInt(rand, input.length + 1));
			if (round === 0) cuts.splice(0, cuts.length, ...Array.from({ length: input.length }, (_, i) => i));
			expect(streamed(input, cuts), `cuts ${cuts.join(',')}`).toEqual(expected);
		}
	});

	it('agrees on 3,000 mutated archives (same entries, or the same typed error)', () => {
		const rand = createRandom(24);
		const seed = Buffer.concat([early, Buffer.alloc(4), main]);
		for (let i = 0; i < 3000; i++) {
			const input = mutate(rand, seed, ['070701', '070702', 'TRAILER!!!', '\0', '00000000', 'ffffffff']);
			const cuts = Array.from({ length: pickInt(rand, 6) }, () => pickInt(rand, input.length + 1));
			expect(streamed(input, cuts), `mutation ${i}`).toEqual(whole(input));
		}
	});
});
