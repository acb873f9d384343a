import { describe, expect, it } from 'vitest';
import { isDistKernelError } from '../lib/errors';
import { parseContents, parseContentsLine } from './vdb-contents';

describe('parseContents', () => {
	it('reads dir, obj, sym, dev and fif entries', () => {
		const text = [
			'dir /lib/modules/6.1.11-gentoo-dist',
			'obj /lib/modules/6.1.11-gentoo-dist/extra/zfs.ko 0123456789abcdef0123456789abcdef 1676000000',
			'sym /lib/modules/6.1.11-gentoo-dist/build -> ../../../usr/src/linux-6.1.11-gentoo-dist 1676000001',
			'dev /dev/null',
			'fif /run/fifo',
			'',
		].join('\n');
		expect(parseContents(text)).toEqual([
			{ type: 'dir', path: '/lib/modules/6.1.11-gentoo-dist' },
			{
				type: 'obj',
				path: '/lib/modules/6.1.11-gentoo-dist/extra/zfs.ko',
				md5: '0123456789abcdef0123456789abcdef',
				mtime: 1676000000,
			},
			{
				type: 'sym',
				path: '/lib/modules/6.1.11-gentoo-dist/build',
				target: '../../../usr/src/linux-6.1.11-gentoo-dist',
				mtime: 1676000001,
			},
			{ type: 'dev', path: '/dev/null' },
			{ type: 'fif', path: '/run/fifo' },
		]);
	});

	it('takes fields from the right so paths may contain spaces', () => {
		expect(parseContentsLine('obj /usr/share/my docs/a b.txt abc 12')).toEqual({
			type: 'obj',
			path: '/usr/share/my docs/a b.txt',
			md5: 'abc',
			mtime: 12,
		});
		expect(parseContentsLine('sym /opt/a -> b/c d -> e f 9')).toEqual({
			type: 'sym',
			path: '/opt/a -> b/c d',
			target: 'e f',
			mtime: 9,
		});
		expect(parseContentsLine('dir /opt/with space')).toEqual({ type: 'dir', path: '/opt/with space' });
	});

	it('accepts the pre-2011 symlink format with a stat tuple', () => {
		const line = 'sym /usr/lib/libfoo.so -> libfoo.so.1 (2, 3L, 4L, 5, 6, 7, 8L, 9, 1234567, 11)';
		expect(parseContentsLine(line)).toEqual({
			type: 'sym',
			path: '/usr/lib/libfoo.so',
			target: 'libfoo.so.1',
			mtime: 1234567,
		});
	});

	it.each([
		['obj /a/b 123'],
		['obj /a/b md5 notanumber'],
		['sym /a/b 12'],
		['sym /a -> 12'],
		['foo /a'],
		['dir'],
		['obj /a\0 md5 1'],
	])('rejects %j with a vdb.parse error', (line) => {
		expect(() => parseContentsLine(line)).toThrow(expect.objectContaining({ code: 'vdb.parse' }));
	});

	it('names the line number of a malformed line', () => {
		try {
			parseContents('dir /a\ngarbage\n', '/var/db/pkg/x/y-1/CONTENTS');
			expect.unreachable();
		} catch (error) {
			expect(isDistKernelError(error, 'vdb.parse')).toBe(true);
			expect((error as Error).message).toContain('CONTENTS:2');
		}
	});
});
