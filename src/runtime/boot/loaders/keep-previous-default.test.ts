import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { keepInstalledImage } from '../../features/install/verify-step';
import type { VerifyRecord } from '../../state/verify-record';
import { withoutTries } from '../backends/kernel-install';
import { badName, demoteKernel, dropDemoted } from './keep-previous-default';

let temp: TempRoot | undefined;
afterEach(() => temp?.cleanup());

const KV = '6.12.8-gentoo-dist';

function failed(): VerifyRecord {
	return {
		kv: KV,
		result: 'failed',
		at: '2026-12-03T10:00:00.000Z',
		kind: 'kernel',
		accel: 'tcg',
		seconds: 1,
		files: [],
		cmdline: '',
		fsType: 'ext4',
		log: '/var/log/dist-kernel/x.log',
		notes: [],
	};
}

describe('keeping the previous default', () => {
	it('boot counting names: no tries left, whatever counter was there', () => {
		expect(badName(`gentoo-${KV}.conf`)).toBe(`gentoo-${KV}+0-1.conf`);
		expect(badName(`gentoo-${KV}+3-0.conf`)).toBe(`gentoo-${KV}+0-1.conf`);
		expect(badName(`gentoo-${KV}+2.efi`)).toBe(`gentoo-${KV}+0-1.efi`);
		// kernel-install's listing (clean) sees the kernel, not a phantom `KV+0-1`.
		expect(withoutTries(`${KV}+0-1`)).toBe(KV);
		expect(withoutTries(`${KV}+3`)).toBe(KV);
		expect(withoutTries('6.1.0-rc1+')).toBe('6.1.0-rc1+');
	});

	it('demotes only the entries and EFI/Linux UKIs of that kernel; a later good install drops the demoted ones', () => {
		temp = makeTempRoot('dk-demote-');
		temp.write(`/boot/loader/entries/gentoo-${KV}.conf`, 'linux /x\n');
		temp.write('/boot/loader/entries/gentoo-6.12.7-gentoo-dist.conf', 'linux /y\n');
		temp.write(`/boot/loader/entries/gentoo-${KV}1.conf`, 'another kernel whose name only starts the same\n');
		temp.write(`/efi/EFI/Linux/gentoo-${KV}.efi`, 'uki');
		expect(demoteKernel(temp, KV).sort()).toEqual([
			`/boot/loader/entries/gentoo-${KV}+0-1.conf`,
			`/efi/EFI/Linux/gentoo-${KV}+0-1.efi`,
		]);
		expect(readdirSync(temp.path('/boot/loader/entries')).sort()).toEqual([
			'gentoo-6.12.7-gentoo-dist.conf',
			`gentoo-${KV}+0-1.conf`,
			`gentoo-${KV}1.conf`,
		]);
		temp.write(`/boot/loader/entries/gentoo-${KV}.conf`, 'linux /x\n');
		expect(dropDemoted(temp, KV).sort()).toEqual([
			`/boot/loader/entries/gentoo-${KV}+0-1.conf`,
			`/efi/EFI/Linux/gentoo-${KV}+0-1.efi`,
		]);
		expect(readdirSync(temp.path('/boot/loader/entries')).sort()).toEqual([
			'gentoo-6.12.7-gentoo-dist.conf',
			`gentoo-${KV}.conf`,
			`gentoo-${KV}1.conf`,
		]);
	});

	it('a failed new initramfs for an installed kernel leaves the installed image; a new kernel is installed (demoted)', () => {
		temp = makeTempRoot('dk-keep-');
		expect(keepInstalledImage(temp, KV, failed(), true)).toBe(false);
		temp.write(`/boot/vmlinuz-${KV}`, 'kernel');
		expect(keepInstalledImage(temp, KV, failed(), true)).toBe(true);
		expect(keepInstalledImage(temp, KV, failed(), false)).toBe(false);
		expect(keepInstalledImage(temp, KV, { ...failed(), result: 'verified' }, true)).toBe(false);
	});
});
