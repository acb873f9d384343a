import { describe, expect, it } from 'vitest';
import { parseVdbEntry } from './vdb-entry';

const base = {
	CATEGORY: 'sys-fs\n',
	PF: 'zfs-kmod-2.2.0-r1\n',
	SLOT: '0/2.2\n',
	USE: 'abi_x86_64 amd64 dist-kernel initramfs strip\n',
	IUSE: 'custom-cflags debug +dist-kernel +initramfs modules-sign +strip\n',
	RDEPEND: 'sys-apps/kmod[tools] virtual/dist-kernel:0/6.1.11=\n',
	repository: 'gentoo\n',
	COUNTER: '4242\n',
	BUILD_TIME: '1676000000\n',
	INHERITED: 'linux-info linux-mod-r1\n',
};

describe('parseVdbEntry', () => {
	it('reads the keys Portage writes', () => {
		const pkg = parseVdbEntry('sys-fs/zfs-kmod-2.2.0-r1', base);
		expect(pkg).toMatchObject({
			key: 'sys-fs/zfs-kmod',
			name: 'zfs-kmod',
			slot: '0',
			subSlot: '2.2',
			repository: 'gentoo',
			counter: 4242,
			buildTime: 1676000000,
			inherited: ['linux-info', 'linux-mod-r1'],
		});
		expect(pkg.version.text).toBe('2.2.0-r1');
		expect(pkg.use).toContain('dist-kernel');
		expect(pkg.iuse).toEqual(['custom-cflags', 'debug', 'dist-kernel', 'initramfs', 'modules-sign', 'strip']);
		expect(pkg.rdepend.find((a) => a.key === 'virtual/dist-kernel')?.subSlot).toBe('6.1.11');
	});
	it('defaults missing optional keys', () => {
		const pkg = parseVdbEntry('app-misc/foo-1', {});
		expect(pkg).toMatchObject({ slot: '0', use: [], iuse: [], rdepend: [], inherited: [] });
	});
	it.each([
		['CATEGORY', 'other\n'],
		['PF', 'zfs-kmod-9\n'],
		['SLOT', '0/1/2\n'],
		['SLOT', '-bad\n'],
		['COUNTER', 'x\n'],
		['RDEPEND', '|| ( a/b\n'],
		['USE', 'ok b@d!\n'],
		['repository', 'a b\n'],
	])('rejects a bad %s with vdb.parse', (key, text) => {
		expect(() => parseVdbEntry('sys-fs/zfs-kmod-2.2.0-r1', { ...base, [key]: text })).toThrow(
			expect.objectContaining({ code: 'vdb.parse' }),
		);
	});
	it('rejects a directory that is not category/PF', () => {
		expect(() => parseVdbEntry('sys-fs/noversion', {})).toThrow(expect.objectContaining({ code: 'vdb.parse' }));
	});
});
