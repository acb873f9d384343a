import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { assertGentooRoot } from './gentoo-root';

describe('assertGentooRoot', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	it.each([
		['/etc/gentoo-release', 'Gentoo Base System release 2.17\n'],
		['/usr/share/portage/config/repos.conf', '[gentoo]\nlocation = /var/db/repos/gentoo\n'],
		['/etc/os-release', 'NAME=Funtoo\nID=funtoo\nID_LIKE="gentoo"\n'],
	])('accepts /etc/portage with %s', (path, text) => {
		temp = makeTempRoot();
		temp.write('/etc/portage/make.conf', '');
		temp.write(path, text);
		expect(() => assertGentooRoot(temp.root)).not.toThrow();
	});

	it('refuses a Debian root, naming what is missing', () => {
		temp = makeTempRoot();
		temp.write('/etc/os-release', 'ID=debian\n');
		temp.write('/etc/portage/make.conf', '');
		expect(() => assertGentooRoot(temp.root)).toThrow(
			expect.objectContaining({ code: 'setup.not-gentoo', details: expect.stringContaining('/etc/gentoo-release') }),
		);
	});

	it('refuses a root without /etc/portage even with gentoo-release', () => {
		temp = makeTempRoot();
		temp.write('/etc/gentoo-release', 'Gentoo\n');
		expect(() => assertGentooRoot(temp.root)).toThrow(
			expect.objectContaining({ details: '/etc/portage is not a directory' }),
		);
	});
});
