import { describe, expect, it } from 'vitest';
import { mountOf, parseMountinfo } from './mountinfo';

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
