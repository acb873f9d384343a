// The layouts with the real thing: the Debian kernel and real dracut (the golden tests use stand-ins). One
// initramfs layout on the ESP (efistub) and one UKI layout (uki), built and installed by the built-in backend.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findSection, readPeSections } from '../../src/parsers/pe-sections';
import { installKernel } from '../../src/runtime/features/install/install-kernel';
import { useCachingDracut } from '../helpers/dracut-cache';
import { type KernelRoot, kernelRoot } from '../runtime/kernel-root';
import { runtimeContext } from '../runtime/runtime-context';

let root: KernelRoot | undefined;
afterEach(() => {
	root?.cleanup();
	root = undefined;
});
// dracut's images shared with the other files' roots of the same input (test/helpers/dracut-cache.ts)
beforeAll(useCachingDracut);

function gentooRoot(r: KernelRoot, layout: string): void {
	r.write('/etc/os-release', 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n');
	r.write(
		'/etc/kernel/install.conf',
		`layout=${layout}\ninitrd_generator=dracut\nuki_generator=${layout === 'uki' ? 'dracut' : 'none'}\n`,
	);
	r.write('/etc/kernel/cmdline', 'root=/dev/vda2 ro\n');
	mkdirSync(r.path('/efi/EFI/BOOT'), { recursive: true });
	mkdirSync(r.path('/boot'), { recursive: true });
}

describe('layouts with real dracut and the Debian kernel', () => {
	it('efistub: EFI/Gentoo/vmlinuz-KV.efi is the kernel, initramfs-KV.img a real initramfs for KV', async () => {
		root = await kernelRoot('dk-layout-real-');
		const { kv } = root;
		gentooRoot(root, 'efistub');
		await installKernel(runtimeContext(root.root, { config: { installBackend: 'builtin' } }), kv);
		expect(readFileSync(root.path(`/efi/EFI/Gentoo/vmlinuz-${kv}.efi`)).equals(readFileSync(root.kernel.vmlinuz))).toBe(
			true,
		);
		const listing = execFileSync('lsinitrd', [root.path(`/efi/EFI/Gentoo/initramfs-${kv}.img`)], {
			encoding: 'utf8',
			maxBuffer: 64 * 1024 * 1024,
		});
		expect(listing).toContain(`lib/modules/${kv}/`);
	});

	it('uki: only EFI/Linux/gentoo-KV.efi, a UKI whose .linux is the kernel and .cmdline /etc/kernel/cmdline', async () => {
		root = await kernelRoot('dk-layout-real-');
		const { kv } = root;
		gentooRoot(root, 'uki');
		await installKernel(runtimeContext(root.root, { config: { installBackend: 'builtin' } }), kv);
		const uki = readFileSync(root.path(`/efi/EFI/Linux/gentoo-${kv}.efi`));
		expect(readPeSections(uki).map((s) => s.name)).toEqual(expect.arrayContaining(['.linux', '.initrd', '.cmdline']));
		expect(findSection(uki, '.linux')!.equals(readFileSync(root.kernel.vmlinuz))).toBe(true);
		expect(findSection(uki, '.cmdline')!.toString('utf8').replace(/\0+$/, '').trim()).toBe('root=/dev/vda2 ro');
		expect(
			execFileSync('find', [root.path('/boot'), root.path('/efi'), '-type', 'f'], { encoding: 'utf8' })
				.trim()
				.split('\n'),
		).toEqual([root.path(`/efi/EFI/Linux/gentoo-${kv}.efi`)]);
	});
});
