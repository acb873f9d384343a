import { mkdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { findBootFiles, mentionsKernel } from './boot-files';

describe('mentionsKernel', () => {
	it.each([
		['vmlinuz-6.1.11-gentoo-dist', '6.1.11-gentoo-dist', true],
		['initramfs-6.1.11-gentoo-dist.img', '6.1.11-gentoo-dist', true],
		['initrd.img-6.1.11', '6.1.11', true],
		['gentoo-6.1.11-gentoo-dist+3-0.efi', '6.1.11-gentoo-dist', true],
		['vmlinuz-6.1.11-gentoo-dist', '6.1.11', false],
		['vmlinuz-6.1.11', '6.1.1', false],
		['vmlinuz-6.1.11.old', '6.1.11', false],
		['System.map-6.1.11x', '6.1.11', false],
	])('%s mentions %s: %s', (name, kv, expected) => {
		expect(mentionsKernel(name, kv)).toBe(expected);
	});
});

describe('findBootFiles', () => {
	let tmp: TempRoot;
	beforeEach(() => {
		tmp = makeTempRoot('dk-boot-');
	});
	afterEach(() => tmp.cleanup());

	it('finds compat, BLS and efistub layouts and counts a file seen through two paths once', () => {
		const kv = '6.1.11-gentoo-dist';
		tmp.write(`/boot/vmlinuz-${kv}`, 'k');
		tmp.write(`/boot/initramfs-${kv}.img`, 'i');
		tmp.write(`/boot/vmlinuz-${kv}.old`, 'k');
		tmp.write(`/efi/gentoo/${kv}/linux`, 'k');
		tmp.write(`/efi/gentoo/${kv}/initrd`, 'i');
		tmp.write(`/boot/efi/EFI/Gentoo/vmlinuz-${kv}.efi`, 'MZ');
		tmp.write('/boot/vmlinuz-6.1.12-gentoo-dist', 'other');
		mkdirSync(tmp.path('/boot/lost+found'));
		const files = findBootFiles(tmp.root, kv);
		expect(files.kernels.map((f) => f.path).sort()).toEqual([
			`/boot/efi/EFI/Gentoo/vmlinuz-${kv}.efi`,
			`/boot/vmlinuz-${kv}`,
			`/efi/gentoo/${kv}/linux`,
		]);
		expect(files.initrds.map((f) => f.path).sort()).toEqual([`/boot/initramfs-${kv}.img`, `/efi/gentoo/${kv}/initrd`]);
		expect(files.ukis).toEqual([]);
	});
});
