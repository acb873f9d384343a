// Package versions as PMS defines them (PMS 3.2 "Version specifications", 3.3 "Version comparison").
// Hand-written: numeric components, optional letter, suffixes _alpha _beta _pre _rc _p with optional numbers, -rN.
import { DistKernelError } from '../lib/errors';
import { printable } from '../lib/validate';

export const SUFFIX_ORDER = ['alpha', 'beta', 'pre', 'rc', 'p'] as const;
export type SuffixName = (typeof SUFFIX_ORDER)[number];

export interface PmsSuffix {
	name: SuffixName;
	/** Digits as written ('' when absent, which compares as 0). */
	number: string;
}

export interface PmsVersion {
	/** The text as given, e.g. `6.1.12_p1-r2`. */
	text: string;
	/** Numeric components as written (leading zeros matter, PMS algorithm 3.3). */
	numbers: string[];
	letter: string;
	suffixes: PmsSuffix[];
	/** Revision digits as written ('' when absent). */
	revision: string;
}

const VERSION_RE = /^([0-9]+(?:\.[0-9]+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|p)[0-9]*)*)(?:-r([0-9]+))?$/;
const SUFFIX_RE = /_(alpha|beta|pre|rc|p)([0-9]*)/g;

/** Parses a version; undefined when the text is not a PMS version. */
export function parsePmsVersion(text: string): PmsVersion | undefined {
	const match = VERSION_RE.exec(text);
	if (!match) return undefined;
	const [, numbers = '', letter = '', suffixText = '', revision = ''] = match;
	const suffixes: PmsSuffix[] = [];
	for (const s of suffixText.matchAll(SUFFIX_RE)) suffixes.push({ name: s[1] as SuffixName, number: s[2] ?? '' });
	return { text, numbers: numbers.split('.'), letter, suffixes, revision };
}

/** Whether the text is a version without `-rN` (a PV). */
export function isPmsVersionWithoutRevision(text: string): boolean {
	const parsed = parsePmsVersion(text);
	return parsed !== undefined && !/-r[0-9]+$/.test(text);
}

function sign(n: number): -1 | 0 | 1 {
	return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Arbitrary-size non-negative integers given as digit strings (PMS puts no bound on them). */
export function compareIntegers(a: string, b: string): -1 | 0 | 1 {
	const x = a.replace(/^0+/, '');
	const y = b.replace(/^0+/, '');
	if (x.length !== y.length) return sign(x.length - y.length);
	return x < y ? -1 : x > y ? 1 : 0;
}

/** PMS algorithm 3.3: a later numeric component with a leading zero compares as a string without trailing zeros. */
function compareLaterComponent(a: string, b: string): -1 | 0 | 1 {
	if (a.startsWith('0') || b.startsWith('0')) {
		const x = a.replace(/0+$/, '');
		const y = b.replace(/0+$/, '');
		return x < y ? -1 : x > y ? 1 : 0;
	}
	return compareIntegers(a, b);
}

function suffixRank(name: SuffixName): number {
	return SUFFIX_ORDER.indexOf(name);
}

/** PMS algorithm 3.1: -1, 0 or 1 as a sorts before, equal to, or after b. */
export function comparePmsVersions(a: PmsVersion, b: PmsVersion): -1 | 0 | 1 {
	// Algorithm 3.2: numeric components.
	const first = compareIntegers(a.numbers[0] ?? '0', b.numbers[0] ?? '0');
	if (first !== 0) return first;
	const common = Math.min(a.numbers.length, b.numbers.length);
	for (let i = 1; i < common; i++) {
		const c = compareLaterComponent(a.numbers[i] ?? '', b.numbers[i] ?? '');
		if (c !== 0) return c;
	}
	if (a.numbers.length !== b.numbers.length) return sign(a.numbers.length - b.numbers.length);
	// Algorithm 3.4: letters; no letter sorts first.
	if (a.letter !== b.letter) return a.letter < b.letter ? -1 : 1;
	// Algorithm 3.5/3.6: suffixes pairwise, then the longer list decides by its next suffix (_p after, others before).
	const suffixes = Math.min(a.suffixes.length, b.suffixes.length);
	for (let i = 0; i < suffixes; i++) {
		const x = a.suffixes[i]!;
		const y = b.suffixes[i]!;
		if (x.name !== y.name) return sign(suffixRank(x.name) - suffixRank(y.name));
		const c = compareIntegers(x.number || '0', y.number || '0');
		if (c !== 0) return c;
	}
	if (a.suffixes.length > suffixes) return a.suffixes[suffixes]!.name === 'p' ? 1 : -1;
	if (b.suffixes.length > suffixes) return b.suffixes[suffixes]!.name === 'p' ? -1 : 1;
	// Algorithm 3.7: revisions; none equals -r0.
	return compareIntegers(a.revision || '0', b.revision || '0');
}

/** Compares two version strings; throws on text that is not a version. */
export function compareVersionStrings(a: string, b: string): -1 | 0 | 1 {
	const x = parsePmsVersion(a);
	const y = parsePmsVersion(b);
	if (!x || !y)
		throw new DistKernelError(
			'version.parse',
			`Expected a PMS version such as 6.1.11-r1, got \`${printable(!x ? a : b)}\``,
		);
	return comparePmsVersions(x, y);
}

/** PV without its revision: `6.1.2-r3` → `6.1.2`. */
export function withoutRevision(version: PmsVersion): string {
	return version.text.replace(/-r[0-9]+$/, '');
}
