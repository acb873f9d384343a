import { describe, expect, it } from 'vitest';
import { parseAtom, parseCpv, parseDependAtoms, splitNameVersion } from './atom';

describe('parseCpv / splitNameVersion', () => {
	it('splits category, name and version with revision', () => {
		const cpv = parseCpv('sys-kernel/gentoo-kernel-bin-6.1.11-r1');
		expect(cpv.key).toBe('sys-kernel/gentoo-kernel-bin');
		expect(cpv.version.text).toBe('6.1.11-r1');
		expect(cpv.version.revision).toBe('1');
	});
	it('keeps digits that belong to the name', () => {
		expect(splitNameVersion('libfoo2-1.0_p3')?.name).toBe('libfoo2');
		expect(splitNameVersion('font-a-b-2')?.name).toBe('font-a-b');
		expect(splitNameVersion('nover')).toBeUndefined();
		expect(splitNameVersion('foo-1-2')).toBeUndefined();
	});
	it('rejects junk with vdb.parse', () => {
		expect(() => parseCpv('nocategory-1.0')).toThrow(expect.objectContaining({ code: 'vdb.parse' }));
	});
});

describe('parseAtom', () => {
	it('reads the resolved slot operator Portage stores in the VDB', () => {
		const atom = parseAtom('virtual/dist-kernel:0/6.1.11=');
		expect(atom).toMatchObject({
			key: 'virtual/dist-kernel',
			slot: '0',
			subSlot: '6.1.11',
			slotOperator: '=',
			operator: '',
		});
	});
	it('reads operators, versions, use deps, repositories and blockers', () => {
		expect(parseAtom('>=dev-libs/foo-1.2:3=::gentoo[bar,-baz(+)]')).toMatchObject({
			operator: '>=',
			key: 'dev-libs/foo',
			slot: '3',
			slotOperator: '=',
			useDeps: ['bar', '-baz(+)'],
			repo: 'gentoo',
		});
		expect(parseAtom('=sys-kernel/gentoo-kernel-6.1*')).toMatchObject({
			wildcard: true,
			key: 'sys-kernel/gentoo-kernel',
		});
		expect(parseAtom('!!app-misc/x')).toMatchObject({ blocker: '!!', key: 'app-misc/x' });
		expect(parseAtom('~sys-kernel/vanilla-kernel-6.1.11').version?.text).toBe('6.1.11');
		expect(parseAtom('dev-lang/perl:=')).toMatchObject({ slotOperator: '=' });
	});
	it.each([
		'',
		'foo',
		'>=dev-libs/foo',
		'dev-libs/foo:',
		'dev-libs/foo[',
		'~a/b-1-r1',
		'>a/b-1*',
		'a/b:x/y/z',
		'a/b::',
	])('rejects %j', (text) => expect(() => parseAtom(text)).toThrow(expect.objectContaining({ code: 'vdb.parse' })));
});

describe('parseDependAtoms', () => {
	it('flattens any-of and conditional groups', () => {
		const atoms = parseDependAtoms(
			'sys-apps/kmod[tools] || ( ~sys-kernel/gentoo-kernel-6.1.11 ~sys-kernel/gentoo-kernel-bin-6.1.11 ) dist-kernel? ( virtual/dist-kernel:0/6.1.11= )',
		);
		expect(atoms.map((a) => a.key)).toEqual([
			'sys-apps/kmod',
			'sys-kernel/gentoo-kernel',
			'sys-kernel/gentoo-kernel-bin',
			'virtual/dist-kernel',
		]);
	});
	it('rejects unbalanced groups', () => {
		expect(() => parseDependAtoms('|| ( a/b')).toThrow(expect.objectContaining({ code: 'vdb.parse' }));
		expect(() => parseDependAtoms('a/b )')).toThrow(expect.objectContaining({ code: 'vdb.parse' }));
		expect(() => parseDependAtoms('|| a/b')).toThrow(expect.objectContaining({ code: 'vdb.parse' }));
	});
});
