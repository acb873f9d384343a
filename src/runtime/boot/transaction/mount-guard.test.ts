import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { isDistKernelError } from '../../../lib/errors';
import { createMemoryLogger } from '../../../lib/log';
import { parseFstab } from '../../../parsers/fstab';
import { parseMountinfo } from '../../../parsers/mountinfo';
import { assertBootMounted, bootMountProblems } from './mount-guard';

const FSTAB = [
	'# Gentoo',
	'UUID=ab /boot ext4 defaults 0 2',
	'UUID=CD-EF /efi vfat umask=0077 0 2',
	'/dev/ROOT / ext4 noatime 0 1',
].join('\n');
const ROOT_ONLY = '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n';
const line = (id: number, mp: string, opts: string, type: string, superOpts = 'rw') =>
	`${id} 22 8:${id} / ${mp} ${opts} shared:${id} - ${type} /dev/sda${id} ${superOpts}\n`;

function facts(mountinfo: string, uefi: boolean, fstab = FSTAB, root = '/') {
	return { fstab: parseFstab(fstab), mounts: parseMountinfo(mountinfo), uefi, root };
}

describe('bootMountProblems (mount-boot_check_status)', () => {
	it('/boot in fstab but not mounted; the ESP only counts on UEFI', () => {
		expect(bootMountProblems(facts(ROOT_ONLY, false))).toEqual([{ mountPoint: '/boot', problem: 'not-mounted' }]);
		expect(bootMountProblems(facts(ROOT_ONLY, true))).toEqual([
			{ mountPoint: '/boot', problem: 'not-mounted' },
			{ mountPoint: '/efi', problem: 'not-mounted' },
		]);
	});

	it('read-only by mount or by super block options; the mount visible on top decides', () => {
		const ro = ROOT_ONLY + line(30, '/boot', 'rw,relatime', 'ext4') + line(31, '/efi', 'ro,relatime', 'vfat');
		expect(bootMountProblems(facts(ro, true))).toEqual([{ mountPoint: '/efi', problem: 'read-only' }]);
		const sb = ROOT_ONLY + line(30, '/boot', 'rw', 'ext4', 'ro,errors=remount-ro');
		expect(bootMountProblems(facts(sb, false))).toEqual([{ mountPoint: '/boot', problem: 'read-only' }]);
		const remounted = sb + line(40, '/boot', 'rw', 'tmpfs');
		expect(bootMountProblems(facts(remounted, false))).toEqual([]);
	});

	it('nothing listed (or only the /dev/BOOT placeholder): nothing to check, as Gentoo', () => {
		expect(
			bootMountProblems(
				facts(ROOT_ONLY, true, '/dev/BOOT /boot ext2 noauto,noatime 1 2\n/dev/ROOT / ext4 noatime 0 1\n'),
			),
		).toEqual([]);
		expect(bootMountProblems(facts(ROOT_ONLY, true, ''))).toEqual([]);
	});

	it('/boot/efi and /boot/EFI are ESP candidates too; a trailing slash in fstab still names the mount point', () => {
		const fstab = 'UUID=ab /boot/ ext4 defaults 0 2\nUUID=CD /boot/efi vfat defaults 0 2\n';
		const mounted = ROOT_ONLY + line(30, '/boot', 'rw', 'ext4') + line(31, '/boot/efi', 'rw', 'vfat');
		expect(bootMountProblems(facts(mounted, true, fstab))).toEqual([]);
		expect(bootMountProblems(facts(ROOT_ONLY + line(30, '/boot', 'rw', 'ext4'), true, fstab))).toEqual([
			{ mountPoint: '/boot/efi', problem: 'not-mounted' },
		]);
	});

	it('under a mounted --root, mount points are looked up below it', () => {
		const mounted = `${ROOT_ONLY}${line(50, '/mnt/gentoo', 'rw', 'ext4')}${line(51, '/mnt/gentoo/boot', 'rw', 'ext4')}`;
		expect(bootMountProblems(facts(mounted, false, FSTAB, '/mnt/gentoo'))).toEqual([]);
		expect(
			bootMountProblems(
				facts(
					`${ROOT_ONLY}${line(50, '/mnt/gentoo', 'rw', 'ext4')}${line(30, '/boot', 'rw', 'ext4')}`,
					false,
					FSTAB,
					'/mnt/gentoo',
				),
			),
		).toEqual([{ mountPoint: '/boot', problem: 'not-mounted' }]);
	});
});

describe('assertBootMounted', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	function setup(mountinfo: string) {
		temp = makeTempRoot();
		temp.write('/etc/fstab', FSTAB);
		const file = temp.write('/mountinfo', mountinfo.replaceAll('/mnt/gentoo', temp.root));
		return { mountinfo: file, efiFirmware: temp.path('/no-efi') };
	}

	it('refuses with boot.not-mounted naming the mount point and the command to rerun', () => {
		const sources = setup(ROOT_ONLY + line(50, '/mnt/gentoo', 'rw', 'ext4'));
		const ctx = { root: temp.root, env: {}, logger: createMemoryLogger() };
		try {
			assertBootMounted(ctx, "emerge --config '=sys-kernel/gentoo-kernel-6.12.8'", sources);
			expect.unreachable();
		} catch (error) {
			expect(isDistKernelError(error, 'boot.not-mounted')).toBe(true);
			const e = error as Error & { hint: string };
			expect(e.message).toBe('refusing to write boot files: /boot is listed in /etc/fstab but not mounted');
			expect(e.hint).toContain("mount /boot, then run: emerge --config '=sys-kernel/gentoo-kernel-6.12.8'");
		}
	});

	it('read-only: boot.read-only with the remount command', () => {
		const sources = setup(
			ROOT_ONLY + line(50, '/mnt/gentoo', 'rw', 'ext4') + line(51, '/mnt/gentoo/boot', 'ro', 'ext4'),
		);
		const ctx = { root: temp.root, env: {}, logger: createMemoryLogger() };
		expect(() => assertBootMounted(ctx, undefined, sources)).toThrow(
			expect.objectContaining({ code: 'boot.read-only', hint: expect.stringContaining('mount -o remount,rw /boot') }),
		);
	});

	it('DONT_MOUNT_BOOT, or a --root that is no mounted system, is not checked', () => {
		const sources = setup(ROOT_ONLY + line(50, '/mnt/gentoo', 'rw', 'ext4'));
		expect(() =>
			assertBootMounted(
				{ root: temp.root, env: { DONT_MOUNT_BOOT: '1' }, logger: createMemoryLogger() },
				undefined,
				sources,
			),
		).not.toThrow();
		const plain = { mountinfo: temp.write('/mountinfo2', ROOT_ONLY), efiFirmware: sources.efiFirmware };
		expect(() =>
			assertBootMounted({ root: temp.root, env: {}, logger: createMemoryLogger() }, undefined, plain),
		).not.toThrow();
	});
});
