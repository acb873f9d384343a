import { describe, expect, it } from 'vitest';
import { assertKernelVersion, assertPackageKey, assertSafePath, isKernelVersion, isPackageName } from './validate';

describe('kernel versions', () => {
	it.each(['6.1.0-56-amd64', '6.1.11-gentoo-dist', '6.6.0-rc1', '6.12.5-gentoo-dist-hardened', '5.15.0+'])(
		'accepts %s',
		(kv) => {
			expect(isKernelVersion(kv)).toBe(true);
		},
	);
	it.each([
		'',
		'../6.1',
		'6.1/../../etc',
		'6.1 0',
		'6.1$(reboot)',
		'6.1;rm',
		'6.1\n',
		'-rf',
		'linux-6.1',
		'6.1..0',
		'6.1`id`',
	])('rejects %j with a typed usage error', (kv) => {
		expect(isKernelVersion(kv)).toBe(false);
		expect(() => assertKernelVersion(kv)).toThrow(/Expected kernel version to be a kernel version/);
	});
});

describe('package names', () => {
	it('follows PMS 3.1.2', () => {
		expect(isPackageName('gentoo-kernel-bin')).toBe(true);
		expect(isPackageName('foo-1')).toBe(false);
		expect(isPackageName('foo-r1')).toBe(false);
		expect(isPackageName('-foo')).toBe(false);
		expect(assertPackageKey('sys-kernel/gentoo-kernel')).toBe('sys-kernel/gentoo-kernel');
		expect(() => assertPackageKey('sys-kernel/gentoo kernel')).toThrow(/Expected package/);
		expect(() => assertPackageKey('a/b/c')).toThrow(/Expected package/);
	});
});

describe('paths', () => {
	it('needs absolute paths without newlines', () => {
		expect(assertSafePath('/var/db/repos/my repo')).toBe('/var/db/repos/my repo');
		expect(() => assertSafePath('relative')).toThrow(/absolute path/);
		expect(() => assertSafePath('/a\nb')).toThrow(/absolute path/);
	});
});
