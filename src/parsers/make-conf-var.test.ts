import { describe, expect, it } from 'vitest';
import { makeConfValue } from './make-conf-var';

describe('makeConfValue', () => {
	it('takes the last literal assignment across files', () => {
		expect(makeConfValue(['PKGDIR="/a"\n', "export PKGDIR='/b' # comment\n"], 'PKGDIR')).toBe('/b');
		expect(makeConfValue(['PKGDIR=/c\nOTHER=1\n'], 'PKGDIR')).toBe('/c');
	});
	it('gives undefined for missing or expanded values', () => {
		expect(makeConfValue(['OTHER=1\n'], 'PKGDIR')).toBeUndefined();
		expect(makeConfValue(['PKGDIR="/x"\nPKGDIR="${EPREFIX}/y"\n'], 'PKGDIR')).toBeUndefined();
		expect(makeConfValue(['PKGDIR=$(id)\n'], 'PKGDIR')).toBeUndefined();
	});
});
