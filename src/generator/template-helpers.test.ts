import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellArray, shellQuote, validToken, validTokens, xmlText } from './template-helpers';

/** What bash makes of a word: run `printf '%s\n' WORD` through real bash. */
function bashWords(words: string): string[] {
	const out = execFileSync('bash', ['-c', `printf '%s\\n' ${words}`], { encoding: 'utf8' });
	return out.split('\n').slice(0, -1);
}

describe('sh', () => {
	it.each(["it's", '$(reboot)', '`id`', 'a b\tc', '"; rm -rf / #', '', "''", '\\', '*', '!x', '${HOME}'])(
		'round-trips %j through bash unchanged',
		(value) => {
			expect(bashWords(shellQuote(value))).toEqual([value]);
		},
	);

	it('refuses NUL and newlines', () => {
		expect(() => shellQuote('a\nb')).toThrow(/newline/);
		expect(() => shellQuote('a\rb')).toThrow(/newline/);
		expect(() => shellQuote('a\0b')).toThrow(/NUL/);
	});

	it('refuses non-strings', () => {
		expect(() => shellQuote(undefined)).toThrow(/string/);
		expect(() => shellQuote({})).toThrow(/string/);
	});
});

describe('sharr', () => {
	it('gives one bash word per item', () => {
		const items = ['a b', "c'd", '$(x)', ''];
		expect(bashWords(shellArray(items))).toEqual(items);
	});
	it('refuses a non-array', () => {
		expect(() => shellArray('a')).toThrow(/array/);
	});
});

describe('tok', () => {
	it.each([
		['6.1.12-gentoo-dist', 'kernel-version'],
		['6.1.12_p1-r2', 'version'],
		['sys-kernel/gentoo-kernel', 'package'],
		['~sys-kernel/gentoo-kernel-6.1.12', 'atom'],
		['>=net-libs/nodejs-20', 'atom'],
		['virtual/dist-kernel:=', 'atom'],
		['sys-kernel/gentoo-kernel:0/6.1.12', 'atom'],
		['DIST_KERNEL_RUNTIME', 'identifier'],
		['dist-kernel.mjs', 'name'],
		['/usr/lib/kernel/install.d', 'path'],
		['~amd64', 'keyword'],
		['dist-kernel', 'use-flag'],
		['8', 'number'],
	])('accepts %s as %s', (value, kind) => {
		expect(validToken(value, kind)).toBe(value);
	});

	it.each([
		['6.1$(reboot)', 'version'],
		['6.1$(reboot)', 'kernel-version'],
		['6.1 2', 'version'],
		['6.1.1-r1-r2', 'version'],
		['../etc', 'kernel-version'],
		['sys-kernel/gentoo-kernel-6.1', 'package'],
		['sys-kernel/gentoo-kernel-6.1', 'atom'],
		['~sys-kernel/gentoo-kernel', 'atom'],
		['sys-kernel/x;reboot', 'atom'],
		['1abc', 'identifier'],
		['a/b', 'name'],
		['..', 'name'],
		['-rf', 'name'],
		['/usr/../etc', 'path'],
		['/a b', 'path'],
		['relative', 'path'],
		['amd64;', 'keyword'],
		['8a', 'number'],
	])('refuses %j as %s', (value, kind) => {
		expect(() => validToken(value, kind)).toThrow(/Expected/);
	});

	it('refuses an unknown kind', () => {
		expect(() => validToken('x', 'anything')).toThrow(/kind/);
	});

	it('toks joins validated tokens', () => {
		expect(validTokens(['amd64', '~arm64'], 'keyword')).toBe('amd64 ~arm64');
		expect(() => validTokens(['amd64', 'x y'], 'keyword')).toThrow(/keyword/);
	});
});

describe('xml', () => {
	it('escapes markup characters', () => {
		expect(xmlText(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
	});
	it('refuses control characters', () => {
		expect(() => xmlText('a\x01')).toThrow(/control/);
	});
});
