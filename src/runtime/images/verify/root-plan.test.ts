import { describe, expect, it } from 'vitest';
import { isDistKernelError } from '../../../lib/errors';
import { planRoot, VERIFY_PARAMS } from './root-plan';

const UUID = '3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21';
const FALLBACK = '00000000-1111-4222-8333-444444444444';

function plan(cmdline: string, kind: 'kernel' | 'uki' = 'kernel', fsType = 'ext4') {
	return planRoot({ params: cmdline.split(' ').filter(Boolean), kind, fsType, fallbackUuid: FALLBACK });
}

function thrown(fn: () => unknown): unknown {
	try {
		fn();
	} catch (error) {
		return error;
	}
	throw new Error('expected a throw');
}

describe('root plan', () => {
	it('imitates root=UUID=, LABEL=, PARTUUID= and /dev/vda[1] with the test disk', () => {
		expect(plan(`root=UUID=${UUID.toUpperCase()} ro`).identity).toEqual({ uuid: UUID });
		expect(plan('root=LABEL=gentoo').identity).toEqual({ label: 'gentoo' });
		expect(plan(`root=PARTUUID=${UUID}`).identity).toEqual({ partition: { partuuid: UUID } });
		expect(plan('root=/dev/vda').identity).toEqual({});
		expect(plan('root=/dev/vda1').identity).toEqual({ partition: {} });
		expect(plan(`root=/dev/disk/by-uuid/${UUID}`).identity).toEqual({ uuid: UUID });
	});

	it('kernel + initramfs: an unimitable root= is replaced, host devices dropped, verification parameters appended', () => {
		const p = plan(
			'root=/dev/nvme0n1p2 ro quiet resume=UUID=abc rd.luks.uuid=def panic=10 init=/usr/lib/systemd/systemd',
		);
		expect(p.identity).toEqual({ uuid: FALLBACK });
		expect(p.params).toEqual([
			'ro',
			'quiet',
			'init=/usr/lib/systemd/systemd',
			`root=UUID=${FALLBACK}`,
			...VERIFY_PARAMS,
		]);
		expect(p.notes.join('\n')).toMatch(/root=\/dev\/nvme0n1p2 cannot be imitated/);
		expect(p.notes.join('\n')).toMatch(/resume=UUID=abc rd.luks.uuid=def/);
		// The init goes where init= points too.
		expect(p.initPaths).toEqual(['/sbin/init', '/usr/lib/systemd/systemd']);
	});

	it('rootfstype= on the command line decides the test filesystem; a btrfs subvolume is dropped for a kernel', () => {
		expect(plan(`root=UUID=${UUID} rootfstype=xfs`).fsType).toBe('xfs');
		const p = plan(`root=UUID=${UUID} rootflags=subvol=@,compress=zstd`, 'kernel', 'btrfs');
		expect(p.params).not.toContain('rootflags=subvol=@,compress=zstd');
		expect(p.notes.join('\n')).toMatch(/subvolumes/);
	});

	it('UKI: the embedded command line is kept as it is; an unimitable root= is a typed error', () => {
		const p = plan(`root=UUID=${UUID} ro quiet`, 'uki');
		expect(p.params).toEqual([`root=UUID=${UUID}`, 'ro', 'quiet']);
		for (const cmdline of ['root=/dev/sda2', 'quiet', 'root=ZFS=rpool/ROOT', `root=UUID=${UUID} rootflags=subvol=@`]) {
			const error = thrown(() => plan(cmdline, 'uki'));
			expect(isDistKernelError(error, 'verify.root-unsupported')).toBe(true);
		}
	});

	it('path-traversing or odd init= values are not used as paths', () => {
		expect(plan('init=/../../etc/x').initPaths).toEqual(['/sbin/init']);
		expect(plan('init=relative').initPaths).toEqual(['/sbin/init']);
	});
});
