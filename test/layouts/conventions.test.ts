// installkernel's conventions around the layout files: same-version reinstall keeps .old / -old.efi, version-less
// names refreshed only when they exist (a link stays a link), install.conf search order and environment
// overrides, hostile configuration refused before anything is built, microcode copied for efistub.
import { lstatSync, readlinkSync, symlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isDistKernelError } from '../../src/lib/errors';
import { installKernel } from '../../src/runtime/features/install/install-kernel';
import { removeKernel } from '../../src/runtime/features/install/remove-kernel';
import { contentOf, KV, type LayoutRoot, layoutContext, layoutRoot } from './layout-root';

let root: LayoutRoot | undefined;
afterEach(() => {
	root?.cleanup();
	root = undefined;
});

async function failureCode(promise: Promise<unknown>): Promise<string | undefined> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	return isDistKernelError(error) ? error.code : error === undefined ? undefined : `untyped: ${String(error)}`;
}

describe('same-version reinstall and version-less names', () => {
	it('compat: previous files become .old; version-less vmlinuz (link) and initramfs.img (copy) follow, absent ones stay absent', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		const r = root;
		for (const name of [`vmlinuz-${KV}`, `initramfs-${KV}.img`, `System.map-${KV}`, `config-${KV}`])
			r.write(`/boot/${name}`, `previous ${name}\n`);
		r.write('/boot/initramfs.img', 'previous version-less copy\n');
		symlinkSync(`vmlinuz-${KV}`, r.path('/boot/vmlinuz'));
		await installKernel(layoutContext(r), KV);
		expect(r.tree()).toEqual(
			[
				`/boot/System.map-${KV}`,
				`/boot/System.map-${KV}.old`,
				`/boot/config-${KV}`,
				`/boot/config-${KV}.old`,
				'/boot/initramfs.img',
				`/boot/initramfs-${KV}.img`,
				`/boot/initramfs-${KV}.img.old`,
				'/boot/initramfs.img.old',
				`/boot/vmlinuz -> vmlinuz-${KV}`,
				`/boot/vmlinuz-${KV}`,
				`/boot/vmlinuz-${KV}.old`,
				`/boot/vmlinuz.old -> vmlinuz-${KV}.old`,
			].sort(),
		);
		expect(contentOf(r, `/boot/vmlinuz-${KV}.old`)).toBe(`previous vmlinuz-${KV}\n`);
		expect(contentOf(r, `/boot/vmlinuz-${KV}`)).toBe(`fake kernel image ${KV}\n`);
		expect(contentOf(r, '/boot/initramfs.img')).toBe(`stand-in initramfs for ${KV}\n`);
		expect(contentOf(r, '/boot/initramfs.img.old')).toBe('previous version-less copy\n');
		expect(lstatSync(r.path('/boot/vmlinuz')).isSymbolicLink()).toBe(true);
	});

	it('a version-less link to another version: moved to .old as it was, then pointed at the new version', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		root.write('/boot/vmlinuz-6.6.1-gentoo-dist', 'older kernel\n');
		symlinkSync('vmlinuz-6.6.1-gentoo-dist', root.path('/boot/vmlinuz'));
		await installKernel(layoutContext(root), KV);
		expect(readlinkSync(root.path('/boot/vmlinuz'))).toBe(`vmlinuz-${KV}`);
		expect(readlinkSync(root.path('/boot/vmlinuz.old'))).toBe('vmlinuz-6.6.1-gentoo-dist');
	});

	it('uki: a reinstalled UKI keeps the previous one as <id>-KV-old.efi (the .efi suffix stays last)', async () => {
		root = layoutRoot({ layout: 'uki', uki: true, esp: true });
		root.write(`/efi/EFI/Linux/gentoo-${KV}.efi`, 'previous UKI\n');
		await installKernel(layoutContext(root), KV);
		expect(root.tree()).toEqual([`/efi/EFI/Linux/gentoo-${KV}-old.efi`, `/efi/EFI/Linux/gentoo-${KV}.efi`]);
		expect(contentOf(root, `/efi/EFI/Linux/gentoo-${KV}-old.efi`)).toBe('previous UKI\n');
	});

	it('uki: a version-less <id>.efi copy on the ESP is refreshed, the previous one kept as <id>-old.efi', async () => {
		root = layoutRoot({ layout: 'uki', uki: true, esp: true });
		root.write('/efi/EFI/Linux/gentoo.efi', 'version-less copy made by the admin\n');
		await installKernel(layoutContext(root), KV);
		expect(root.tree()).toEqual(
			[`/efi/EFI/Linux/gentoo-${KV}.efi`, '/efi/EFI/Linux/gentoo-old.efi', '/efi/EFI/Linux/gentoo.efi'].sort(),
		);
		expect(contentOf(root, '/efi/EFI/Linux/gentoo.efi')).toBe(`stand-in uki for ${KV}\n`);
		expect(contentOf(root, '/efi/EFI/Linux/gentoo-old.efi')).toBe('version-less copy made by the admin\n');
	});

	it('efistub: /boot/intel-uc.img and amd-uc.img are copied along into EFI/<NAME>', async () => {
		root = layoutRoot({ layout: 'efistub', uki: false, esp: true });
		root.write('/boot/intel-uc.img', 'intel microcode\n');
		root.write('/boot/amd-uc.img', 'amd microcode\n');
		await installKernel(layoutContext(root), KV);
		expect(contentOf(root, '/efi/EFI/Gentoo/intel-uc.img')).toBe('intel microcode\n');
		expect(contentOf(root, '/efi/EFI/Gentoo/amd-uc.img')).toBe('amd microcode\n');
	});
});

describe('install.conf as installkernel reads it', () => {
	it('search order: /etc/kernel wins over /run, /usr/local/lib and /usr/lib', async () => {
		root = layoutRoot({ uki: false, esp: true });
		root.write('/usr/lib/kernel/install.conf', 'layout=efistub\n');
		root.write('/usr/local/lib/kernel/install.conf', 'layout=efistub\n');
		root.write('/run/kernel/install.conf', 'layout=efistub\n');
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		await installKernel(layoutContext(root), KV);
		expect(root.tree()).toContain(`/efi/loader/entries/gentoo-${KV}.conf`);
	});

	it('/usr/lib/kernel/install.conf is read when it is the only one; no install.conf at all means compat', async () => {
		root = layoutRoot({ uki: false, esp: true });
		root.write('/usr/lib/kernel/install.conf', 'layout=efistub\n');
		await installKernel(layoutContext(root), KV);
		expect(root.tree()).toContain(`/efi/EFI/Gentoo/vmlinuz-${KV}.efi`);
		root.cleanup();
		root = layoutRoot({ uki: false, esp: true });
		await installKernel(layoutContext(root), KV);
		expect(root.tree()).toContain(`/boot/vmlinuz-${KV}`);
	});

	it('INSTALLKERNEL_CONF_ROOT and INSTALLKERNEL_LAYOUT override, as in installkernel', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: true });
		root.write('/srv/kconf/install.conf', 'layout=efistub\n');
		await installKernel(layoutContext(root, {}, { INSTALLKERNEL_CONF_ROOT: '/srv/kconf' }), KV);
		expect(root.tree()).toContain(`/efi/EFI/Gentoo/vmlinuz-${KV}.efi`);
		await installKernel(
			layoutContext(root, {}, { INSTALLKERNEL_CONF_ROOT: '/srv/kconf', INSTALLKERNEL_LAYOUT: 'uki' }),
			KV,
		);
		expect(root.tree()).toContain(`/efi/EFI/Linux/gentoo-${KV}.efi`);
		expect(
			await failureCode(installKernel(layoutContext(root, {}, { INSTALLKERNEL_CONF_ROOT: '/srv/missing' }), KV)),
		).toBe('install-conf.missing');
	});

	it.each([
		['layout=../../etc', 'install-conf.layout'],
		['layout=systemd-boot', 'install-conf.layout'],
		['layout=other', 'layout.other'],
		['layout=bls\nBOOT_ROOT=../../../tmp', 'install-conf.boot-root'],
	])('hostile or unusable install.conf `%s` → %s, nothing built or written', async (text, expected) => {
		root = layoutRoot({ uki: false, esp: true });
		root.write('/etc/kernel/install.conf', `${text}\n`);
		expect(await failureCode(installKernel(layoutContext(root), KV))).toBe(expected);
		expect(root.tree()).toEqual([]);
	});

	it('bls with /etc/kernel/tries: the entry is <token>-KV+N.conf (systemd boot counting); a reinstall replaces a counted-down entry; remove takes both', async () => {
		root = layoutRoot({ layout: 'bls', uki: false, esp: true });
		root.write('/etc/kernel/tries', '3\n');
		root.write(`/efi/loader/entries/gentoo-${KV}+1-2.conf`, 'an entry boot counting already counted down\n');
		const ctx = layoutContext(root);
		await installKernel(ctx, KV);
		expect(root.tree().filter((p) => p.includes('/loader/'))).toEqual([`/efi/loader/entries/gentoo-${KV}+3.conf`]);
		await removeKernel(ctx, KV);
		expect(root.tree()).toEqual([]);
		root.write('/etc/kernel/tries', 'three\n');
		expect(await failureCode(installKernel(ctx, KV))).toBe('install-conf.tries');
	});

	it('a path-traversing entry token or os-release ID is refused, not used as a directory', async () => {
		root = layoutRoot({ layout: 'bls', uki: false, esp: true });
		root.write('/etc/kernel/entry-token', '../../../etc\n');
		expect(await failureCode(installKernel(layoutContext(root), KV))).toBe('install-conf.entry-token');
		root.cleanup();
		root = layoutRoot({ layout: 'uki', uki: true, esp: true });
		root.write('/etc/os-release', 'NAME=Gentoo\nID=../../x\n');
		expect(await failureCode(installKernel(layoutContext(root), KV))).toBe('install-conf.entry-token');
		expect(root.tree()).toEqual([]);
	});
});
