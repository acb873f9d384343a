import { describe, expect, it } from 'vitest';
import { parseBlsEntry } from './bls-entry';

describe('BLS type #1 entry', () => {
	it('reads linux, every initrd and joins repeated options lines', () => {
		const entry = parseBlsEntry(
			'# comment\ntitle Gentoo\nversion 6.12.8-gentoo-dist\nlinux /gentoo/6.12.8/linux\ninitrd /gentoo/6.12.8/microcode\ninitrd /gentoo/6.12.8/initrd\noptions root=UUID=ab rw\noptions quiet\n',
		);
		expect(entry).toEqual({
			title: 'Gentoo',
			version: '6.12.8-gentoo-dist',
			linux: '/gentoo/6.12.8/linux',
			initrds: ['/gentoo/6.12.8/microcode', '/gentoo/6.12.8/initrd'],
			options: 'root=UUID=ab rw quiet',
		});
	});
});
