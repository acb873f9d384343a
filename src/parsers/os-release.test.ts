import { expect, it } from 'vitest';
import { parseOsRelease } from './os-release';

it('reads quoted and bare os-release values and skips comments', () => {
	const text =
		'# comment\nNAME="Gentoo"\nID=gentoo\nPRETTY_NAME=\'Gentoo Linux\'\nHOME_URL="https://x/\\"q\\""\nbad line\n';
	expect(parseOsRelease(text)).toEqual({
		NAME: 'Gentoo',
		ID: 'gentoo',
		PRETTY_NAME: 'Gentoo Linux',
		HOME_URL: 'https://x/"q"',
	});
});
