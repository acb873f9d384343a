import { describe, expect, it } from 'vitest';
import { isReadOnly, mountAtPoint, mountOf, parseMountinfo } from './mountinfo';

const MOUNTINFO = [
	'22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
	'23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw',
	'40 22 0:33 / /var/tmp rw master:3 - xfs /dev/vdb1 rw,attr2',
	'41 22 0:34 / /mnt/with\\040space rw - btrfs /dev/vdc rw,subvol=/',
	'garbage line',
	'',
].join('\n');

describe('mountinfo', () => {
	it('parses type and source after the optional-field separator, unescaping octal', () => {
		const entries = parseMountinfo(MOUNTINFO);
		expect(entries.map((e) => [e.mountPoint, e.fsType, e.source])).toEqual([
			['/', 'ext4', '/dev/vda'],
			['/proc', 'proc', 'proc'],
			['/var/tmp', 'xfs', '/dev/vdb1'],
			['/mnt/with space', 'btrfs', '/dev/vdc'],
		]);
	});

	it('the longest mount point holding a path wins, and /var/tmpx is not under /var/tmp', () => {
		const entries = parseMountinfo(MOUNTINFO);
		expect(mountOf(entries, '/var/tmp/dk-root')?.fsType).toBe('xfs');
		expect(mountOf(entries, '/var/tmpx')?.fsType).toBe('ext4');
		expect(mountOf(entries, '/mnt/with space')?.fsType).toBe('btrfs');
		expect(mountOf(entries, '/')?.fsType).toBe('ext4');
	});
});

describe('mountinfo options', () => {
	const text = [
		'22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
		'60 22 8:1 / /boot rw,relatime shared:30 - ext4 /dev/sda1 rw',
		'61 22 8:2 / /efi ro,relatime shared:31 - vfat /dev/sda2 rw,fmask=0077',
		'62 22 8:3 / /srv rw,relatime - ext4 /dev/sda3 ro,errors=remount-ro',
		'63 60 0:40 / /boot ro - tmpfs tmpfs ro',
	].join('\n');

	it('per-mount and super block options; read-only when either says ro', () => {
		const entries = parseMountinfo(text);
		expect(entries[2]).toMatchObject({
			mountPoint: '/efi',
			options: ['ro', 'relatime'],
			superOptions: ['rw', 'fmask=0077'],
		});
		expect(entries.map((e) => isReadOnly(e))).toEqual([false, false, true, true, true]);
	});

	it('the mount visible at a mount point is the last one mounted there', () => {
		const entries = parseMountinfo(text);
		expect(mountAtPoint(entries, '/boot')?.fsType).toBe('tmpfs');
		expect(mountAtPoint(entries, '/efi')?.source).toBe('/dev/sda2');
		expect(mountAtPoint(entries, '/boot/efi')).toBeUndefined();
	});
});
