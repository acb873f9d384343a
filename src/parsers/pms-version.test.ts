import { describe, expect, it } from 'vitest';
import { compareVersionStrings, parsePmsVersion, withoutRevision } from './pms-version';

// [a, b, expected sign of compare(a, b)]. Includes the PMS examples and Portage's vercmp test cases in spirit.
const TABLE: [string, string, -1 | 0 | 1][] = [
	// Numeric components.
	['1', '2', -1],
	['2', '10', -1],
	['10', '9', 1],
	['1.0', '1', 1],
	['1.0.0', '1.0', 1],
	['1.2', '1.10', -1],
	['1.10', '1.9', 1],
	['6.12.10', '6.12.5', 1],
	['6.12.5', '6.6.58', 1],
	['6.1.118', '6.6.58', -1],
	['123456789012345678901234567890', '123456789012345678901234567891', -1],
	['1.123456789012345678901234567890', '1.23456789012345678901234567890', 1],
	// Leading zeros: the first component is an integer, later ones compare as strings (PMS algorithm 3.3).
	['01', '1', 0],
	['001.2', '1.2', 0],
	['1.01', '1.1', -1],
	['1.001', '1.01', -1],
	['1.010', '1.01', 0],
	['1.0', '1.00', 0],
	['1.0', '1.000', 0],
	['1.09', '1.1', -1],
	['1.09', '1.089', 1],
	['1.1', '1.010', 1],
	['1.2', '1.0020', 1],
	['12.01', '12.1', -1],
	['1.0a', '1.00a', 0],
	// Letters.
	['1a', '1', 1],
	['1a', '1b', -1],
	['1z', '1.0', -1],
	['1.2a', '1.2', 1],
	['1.2b', '1.2a', 1],
	['1.2z', '1.3', -1],
	// Suffixes.
	['1_alpha', '1_beta', -1],
	['1_beta', '1_pre', -1],
	['1_pre', '1_rc', -1],
	['1_rc', '1', -1],
	['1', '1_p', -1],
	['1_p', '1_p1', -1],
	['1_p0', '1_p', 0],
	['1_alpha', '1_alpha0', 0],
	['1_alpha1', '1_alpha2', -1],
	['1_alpha10', '1_alpha9', 1],
	['1_rc10', '1_rc9', 1],
	['1_p1', '1.0', -1],
	['1_p1', '1a', -1],
	['1.0_p1', '1.0a', -1],
	['1_alpha_beta', '1_alpha', -1],
	['1_alpha_p', '1_alpha', 1],
	['1_alpha_p', '1_beta', -1],
	['1_p_alpha', '1_p', -1],
	['1_p_p', '1_p', 1],
	['1_p1_p', '1_p2', -1],
	['1_rc1_p1', '1_rc1', 1],
	['1_rc1_p1', '1_rc2', -1],
	['1_pre1_rc1', '1_pre1', -1],
	['1_alpha1_beta2_pre3_rc4_p5', '1_alpha1_beta2_pre3_rc4', 1],
	['6.14_rc2', '6.13.2', 1],
	['6.14_rc2', '6.14', -1],
	['6.12.5_p1', '6.12.5', 1],
	['6.12.5_p1', '6.12.6', -1],
	['6.12.5_p1', '6.12.5_p2', -1],
	['6.12.5_p1', '6.12.5-r1', 1],
	// Revisions.
	['1-r1', '1', 1],
	['1-r0', '1', 0],
	['1-r00', '1-r0', 0],
	['1-r01', '1-r1', 0],
	['1-r2', '1-r10', -1],
	['1-r9', '1_p', -1],
	['1_p-r1', '1_p', 1],
	['1.0-r1', '1.0.0', -1],
	['6.6.58-r1', '6.6.58', 1],
	['6.6.58-r1', '6.6.59', -1],
	['1a-r5', '1b', -1],
	['1_rc1-r3', '1_rc2', -1],
	// Equal texts.
	['6.12.10', '6.12.10', 0],
	['1.2.3a_beta4_p5-r6', '1.2.3a_beta4_p5-r6', 0],
];

describe('comparePmsVersions', () => {
	it.each(TABLE)('%s vs %s → %i', (a, b, expected) => {
		expect(compareVersionStrings(a, b)).toBe(expected);
		expect(compareVersionStrings(b, a)).toBe(expected === 0 ? 0 : -expected);
	});
});

describe('parsePmsVersion', () => {
	it.each(['1', '1.2.3', '1a', '1.2_alpha', '1_p', '1_p1-r2', '0', '6.12.5_p1', '1_alpha_beta_pre_rc_p', '00001'])(
		'accepts %s',
		(v) => {
			expect(parsePmsVersion(v)?.text).toBe(v);
		},
	);
	it.each([
		'',
		'a',
		'1.',
		'.1',
		'1..2',
		'1A',
		'1ab',
		'1_gamma',
		'1-r',
		'1-r1-r2',
		'1_p-1',
		'1.2-rc1',
		'6.1$(reboot)',
		'1 2',
		'1\n',
		'-1',
		'1_pre-r1a',
		'v1',
		'1.2.3-gentoo',
	])('refuses %j', (v) => {
		expect(parsePmsVersion(v)).toBeUndefined();
	});
	it('splits components', () => {
		expect(parsePmsVersion('6.12.5b_rc1_p2-r3')).toEqual({
			text: '6.12.5b_rc1_p2-r3',
			numbers: ['6', '12', '5'],
			letter: 'b',
			suffixes: [
				{ name: 'rc', number: '1' },
				{ name: 'p', number: '2' },
			],
			revision: '3',
		});
	});
	it('withoutRevision gives PV', () => {
		expect(withoutRevision(parsePmsVersion('6.6.58-r1')!)).toBe('6.6.58');
		expect(withoutRevision(parsePmsVersion('6.6.58')!)).toBe('6.6.58');
	});
});

/** Small deterministic PRNG (mulberry32) so a failure is reproducible. */
function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function randomVersion(random: () => number): string {
	const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
	const number = () => pick(['0', '1', '2', '9', '10', '01', '00', '010', '001', '100']);
	let v = number();
	const count = Math.floor(random() * 3);
	for (let i = 0; i < count; i++) v += `.${number()}`;
	if (random() < 0.25) v += pick(['a', 'b', 'z']);
	const suffixes = Math.floor(random() * 3);
	for (let i = 0; i < suffixes; i++)
		v += `_${pick(['alpha', 'beta', 'pre', 'rc', 'p'])}${pick(['', '0', '1', '2', '10'])}`;
	if (random() < 0.3) v += `-r${pick(['0', '1', '2', '10', '01'])}`;
	return v;
}

describe('comparison properties over random versions', () => {
	const random = prng(20261125);
	const versions = Array.from({ length: 160 }, () => randomVersion(random));

	it('every generated version parses', () => {
		for (const v of versions) expect(parsePmsVersion(v), v).toBeDefined();
	});

	it('is reflexive and antisymmetric', () => {
		const violations: string[] = [];
		for (const a of versions) {
			if (compareVersionStrings(a, a) !== 0) violations.push(`${a} != ${a}`);
			for (const b of versions)
				if (compareVersionStrings(a, b) !== -compareVersionStrings(b, a)) violations.push(`${a} vs ${b}`);
		}
		expect(violations).toEqual([]);
	});

	it('is transitive (≤ and =)', () => {
		const cmp = versions.map((a) => versions.map((b) => compareVersionStrings(a, b)));
		const violations: string[] = [];
		const n = versions.length;
		for (let i = 0; i < n; i++)
			for (let j = 0; j < n; j++) {
				const ij = cmp[i]![j]!;
				if (ij > 0) continue;
				for (let k = 0; k < n; k++) {
					const jk = cmp[j]![k]!;
					if (jk > 0) continue;
					const ik = cmp[i]![k]!;
					if (ik > 0 || (ij === 0 && jk === 0 && ik !== 0))
						violations.push(`${versions[i]} ≤ ${versions[j]} ≤ ${versions[k]}`);
				}
			}
		expect(violations).toEqual([]);
	});

	it('sorting is independent of the input order', () => {
		const sorted = [...versions].sort(compareVersionStrings);
		const reversed = [...versions].reverse().sort(compareVersionStrings);
		for (let i = 0; i < sorted.length; i++) expect(compareVersionStrings(sorted[i]!, reversed[i]!)).toBe(0);
	});
});
