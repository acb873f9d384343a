import { describe, expect, it } from 'vitest';
import { mountAt, parseProcMounts } from './proc-mounts';

describe('parseProcMounts', () => {
	it('reads fields, unescapes octal escapes and finds the visible mount of a target', () => {
		const entries = parseProcMounts(
			[
				'rootfs / rootfs rw 0 0',
				'rpool/ROOT/gentoo / zfs rw,relatime,xattr,posixacl 0 0',
				'proc /proc proc rw,nosuid 0 0',
				'/dev/sda1 /mnt/my\\040disk ext4 rw 0 0',
				'',
				'garbage',
			].join('\n'),
		);
		expect(entries).toHaveLength(4);
		expect(mountAt(entries, '/')).toEqual({
			source: 'rpool/ROOT/gentoo',
			target: '/',
			fstype: 'zfs',
			options: ['rw', 'relatime', 'xattr', 'posixacl'],
		});
		expect(mountAt(entries, '/mnt/my disk')?.fstype).toBe('ext4');
		expect(mountAt(entries, '/boot')).toBeUndefined();
	});
});
