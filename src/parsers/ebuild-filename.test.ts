import { describe, expect, it } from 'vitest';
import { parseEbuildFilename } from './ebuild-filename';

describe('parseEbuildFilename', () => {
	it.each([
		['gentoo-kernel-6.6.58.ebuild', 'gentoo-kernel', '6.6.58', '6.6.58'],
		['gentoo-kernel-6.6.58-r1.ebuild', 'gentoo-kernel', '6.6.58-r1', '6.6.58'],
		['gentoo-kernel-bin-6.12.5_p1.ebuild', 'gentoo-kernel-bin', '6.12.5_p1', '6.12.5_p1'],
		['vanilla-kernel-6.14_rc2.ebuild', 'vanilla-kernel', '6.14_rc2', '6.14_rc2'],
	])('%s → %s', (file, pn, version, pv) => {
		const parsed = parseEbuildFilename(file, pn);
		expect(parsed).toMatchObject({ ok: true, pv });
		expect(parsed?.ok && parsed.version.text).toBe(version);
	});

	it('ignores files that are not ebuilds', () => {
		expect(parseEbuildFilename('Manifest', 'gentoo-kernel')).toBeUndefined();
		expect(parseEbuildFilename('metadata.xml', 'gentoo-kernel')).toBeUndefined();
	});

	it.each([
		['gentoo-kernel-6.6.x.ebuild', 'gentoo-kernel'],
		['gentoo-kernel-6.1$(reboot).ebuild', 'gentoo-kernel'],
		['gentoo-kernel-6.1 2.ebuild', 'gentoo-kernel'],
		['gentoo-kernel-bin-6.1.ebuild', 'gentoo-kernel'],
		['other-6.1.ebuild', 'gentoo-kernel'],
		['gentoo-kernel-.ebuild', 'gentoo-kernel'],
	])('reports %s as invalid', (file, pn) => {
		expect(parseEbuildFilename(file, pn)).toMatchObject({ ok: false });
	});
});
