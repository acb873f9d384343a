import { describe, expect, it } from 'vitest';
import { parseFstab } from './fstab';

describe('fstab', () => {
	it('reads source, mount point, type and options; skips comments, blank and short lines', () => {
		const text = [
			'# <fs> <mountpoint> <type> <opts> <dump> <pass>',
			'  # indented comment',
			'',
			'UUID=1234-ABCD\t/efi\tvfat\tumask=0077,noauto\t0 2',
			'/dev/sda2   /boot/   ext4 defaults 0 2',
			'/dev/BOOT /boot ext2 noauto,noatime 1 2',
			'LABEL=my\\040disk /mnt/a\\040b xfs',
			'lonely',
		].join('\n');
		expect(parseFstab(text)).toEqual([
			{ source: 'UUID=1234-ABCD', target: '/efi', fsType: 'vfat', options: ['umask=0077', 'noauto'] },
			{ source: '/dev/sda2', target: '/boot', fsType: 'ext4', options: ['defaults'] },
			{ source: '/dev/BOOT', target: '/boot', fsType: 'ext2', options: ['noauto', 'noatime'] },
			{ source: 'LABEL=my disk', target: '/mnt/a b', fsType: 'xfs', options: [] },
		]);
	});

	it('keeps / as it is and treats an empty file as no entries', () => {
		expect(parseFstab('/dev/vda / ext4 rw 0 1\n').map((e) => e.target)).toEqual(['/']);
		expect(parseFstab('')).toEqual([]);
	});
});
