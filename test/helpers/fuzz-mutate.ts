// The one mutation fuzzer of the project (bench/faults and the test suite): seeded PRNG, byte-level mutations,
// dictionary tokens, splicing of seeds. Deterministic so that a crash found once is found again with the same seed.

export type Random = () => number;

/** mulberry32: tiny, fast, good enough to pick mutations. */
export function createRandom(seed: number): Random {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function pickInt(random: Random, max: number): number {
	return Math.floor(random() * max);
}

export function pickOne<T>(random: Random, items: readonly T[]): T {
	return items[pickInt(random, items.length)]!;
}

/** Tokens that break parsers in practice: separators, huge numbers, NUL, newlines, quoting, path tricks. */
export const COMMON_TOKENS = [
	'\0',
	'\n',
	'\r\n',
	'\t',
	' ',
	'=',
	'"',
	"'",
	'\\',
	'/',
	'..',
	'../',
	'#',
	'[',
	']',
	'{',
	'}',
	'(',
	')',
	':',
	';',
	'-',
	'_',
	'.',
	'*',
	'$',
	'`',
	'$(',
	'${',
	'!',
	'?',
	'|',
	'||',
	'&&',
	'~',
	'+',
	',',
	'%',
	'@',
	'0',
	'-1',
	'00000000',
	'99999999999999999999999999',
	'4294967296',
	'9007199254740993',
	'NaN',
	'Infinity',
	'\u00e9',
	'\u202e',
	'\ufeff',
	'\ud800',
	'A'.repeat(300),
	'/'.repeat(50),
];

function randomBytes(random: Random, length: number): Buffer {
	const out = Buffer.alloc(length);
	for (let i = 0; i < length; i += 1) out[i] = pickInt(random, 256);
	return out;
}

/** One mutation of `input`; `tokens` are the format's own interesting strings, `seeds` may be spliced in. */
export function mutateOnce(random: Random, input: Buffer, tokens: readonly string[], seeds: readonly Buffer[]): Buffer {
	const at = input.length === 0 ? 0 : pickInt(random, input.length + 1);
	switch (pickInt(random, 11)) {
		case 0: {
			if (input.length === 0) return randomBytes(random, 1);
			const out = Buffer.from(input);
			const i = pickInt(random, out.length);
			out[i] = out[i]! ^ (1 << pickInt(random, 8));
			return out;
		}
		case 1: {
			if (input.length === 0) return randomBytes(random, 1);
			const out = Buffer.from(input);
			out[pickInt(random, out.length)] = pickOne(random, [0, 0xff, 0x7f, 0x80, 0x0a, 0x20, 0x22, 0x2f, 0x30, 0x39]);
			return out;
		}
		case 2:
			return Buffer.concat([input.subarray(0, at), randomBytes(random, 1 + pickInt(random, 8)), input.subarray(at)]);
		case 3: {
			const len = 1 + pickInt(random, Math.max(1, Math.floor(input.length / 4)));
			return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + len))]);
		}
		case 4: {
			const len = 1 + pickInt(random, Math.max(1, Math.min(64, input.length)));
			const chunk = input.subarray(at, at + len);
			return Buffer.concat([input.subarray(0, at), chunk, chunk, input.subarray(at)]);
		}
		case 5:
			return input.subarray(0, at);
		case 6:
		case 7: {
			const token = Buffer.from(pickOne(random, random() < 0.5 && tokens.length > 0 ? tokens : COMMON_TOKENS));
			if (random() < 0.5) return Buffer.concat([input.subarray(0, at), token, input.subarray(at)]);
			return Buffer.concat([input.subarray(0, at), token, input.subarray(Math.min(input.length, at + token.length))]);
		}
		case 8: {
			const other = seeds.length > 0 ? pickOne(random, seeds) : input;
			const cut = pickInt(random, other.length + 1);
			return Buffer.concat([input.subarray(0, at), other.subarray(cut)]);
		}
		case 9: {
			// Replace an ASCII run of digits or hex with an extreme value (sizes, counters, versions).
			const text = input.toString('latin1');
			const runs = [...text.matchAll(/[0-9a-fA-F]{2,}/g)];
			if (runs.length === 0) return Buffer.concat([input, Buffer.from(pickOne(random, COMMON_TOKENS))]);
			const run = pickOne(random, runs);
			const start = run.index ?? 0;
			const width = run[0].length;
			const replacement = pickOne(random, [
				'f'.repeat(width),
				'0'.repeat(width),
				'7'.repeat(width),
				'9'.repeat(width + 20),
				'',
			]);
			return Buffer.concat([
				input.subarray(0, start),
				Buffer.from(replacement, 'latin1'),
				input.subarray(start + width),
			]);
		}
		default:
			return randomBytes(random, pickInt(random, 64));
	}
}

/** `input` with 1–4 stacked mutations. */
export function mutate(
	random: Random,
	input: Buffer,
	tokens: readonly string[],
	seeds: readonly Buffer[] = [input],
): Buffer {
	let out = input;
	const rounds = 1 + pickInt(random, 4);
	for (let i = 0; i < rounds; i += 1) out = mutateOnce(random, out, tokens, seeds);
	return out;
}

/** The same for text formats (mutated as UTF-8 bytes, decoded again: invalid sequences become U+FFFD). */
export function mutateText(random: Random, input: string, tokens: readonly string[]): string {
	return mutate(random, Buffer.from(input, 'utf8'), tokens).toString('utf8');
}

/** The i-th fuzz input: a seed with 1–4 stacked mutations (i = 0..seeds-1 are the seeds themselves). */
export function fuzzInput(random: Random, index: number, seeds: readonly Buffer[], tokens: readonly string[]): Buffer {
	if (index < seeds.length) return seeds[index]!;
	return mutate(random, pickOne(random, seeds), tokens, seeds);
}
