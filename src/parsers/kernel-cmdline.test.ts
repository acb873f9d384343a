import { describe, expect, it } from 'vitest';
import { cmdlineValue, parseRootSpec, splitCmdline, withoutParams } from './kernel-cmdline';

describe('kernel command line', () => {
	it('splits on whitespace, keeps quoted values together and drops the quotes', () => {
		expect(splitCmdline(' root=UUID=ab  quiet\tdyndbg="file a.c +p" \n')).toEqual([
			'root=UUID=ab',
			'quiet',
			'dyndbg=file a.c +p',
		]);
		expect(splitCmdline('')).toEqual([]);
	});

	it('the last root= wins; withoutParams drops bare and valued forms', () => {
		const params = ['root=/dev/sda1', 'ro', 'root=LABEL=gentoo', 'resume=UUID=x', 'resume'];
		expect(cmdlineValue(params, 'root')).toBe('LABEL=gentoo');
		expect(cmdlineValue(params, 'rootfstype')).toBeUndefined();
		expect(withoutParams(params, ['resume', 'root'])).toEqual(['ro']);
	});

	it('reads every way root= names a filesystem', () => {
		expect(parseRootSpec('UUID=3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21')).toEqual({
			kind: 'uuid',
			value: '3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21',
		});
		expect(parseRootSpec('PARTUUID=0fc63daf-8483-4772-8e79-3d69d8477de4')).toEqual({
			kind: 'partuuid',
			value: '0fc63daf-8483-4772-8e79-3d69d8477de4',
		});
		expect(parseRootSpec('LABEL=root')).toEqual({ kind: 'label', value: 'root' });
		expect(parseRootSpec('/dev/disk/by-label/my\\x20root')).toEqual({ kind: 'label', value: 'my root' });
		expect(parseRootSpec('/dev/disk/by-uuid/ab')).toEqual({ kind: 'uuid', value: 'ab' });
		expect(parseRootSpec('/dev/nvme0n1p2')).toEqual({ kind: 'device', value: '/dev/nvme0n1p2' });
		expect(parseRootSpec('ZFS=rpool/ROOT/gentoo')).toEqual({ kind: 'other', value: 'ZFS=rpool/ROOT/gentoo' });
		expect(parseRootSpec(undefined)).toEqual({ kind: 'none' });
	});
});
