// installkernel's other conventions: the install log (TSV columns as 99-write-log writes them), prebuilt images
// beside the kernel (10-copy-prebuilt) and the chroot guard (05-check-chroot).
import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isDistKernelError } from '../../src/lib/errors';
import { formatInstallLogLine } from '../../src/runtime/boot/install-log/log-line';
import { runDoctor } from '../../src/runtime/features/doctor/run-doctor';
import { installKernel } from '../../src/runtime/features/install/install-kernel';
import { removeKernel } from '../../src/runtime/features/install/remove-kernel';
import { writeModulePackage } from '../modules/vdb-builder';
import { contentOf, dracutRuns, KV, type LayoutRoot, layoutContext, layoutRoot, MACHINE_ID } from './layout-root';

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

function logColumns(r: LayoutRoot): string[][] {
	return readFileSync(r.path('/var/log/installkernel.log'), 'utf8')
		.trimEnd()
		.split('\n')
		.map((line) => line.split('\t'));
}

describe('install log (/var/log/installkernel.log)', () => {
	it("formats a line exactly in installkernel's 11 columns, `notset` and `unknown` included", () => {
		const line = formatInstallLogLine({
			date: new Date(Date.UTC(2026, 11, 3, 9, 5, 7)),
			vendor: 'dist-kernel',
			kv: KV,
			layout: 'uki',
			bootRoot: '/efi',
			kernel: `/efi/EFI/Linux/gentoo-${KV}.efi`,
		});
		expect(line).toBe(
			`Thu Dec  3 09:05:07 UTC 2026\tdist-kernel\t${KV}\tnotset\tuki\tnotset\tnotset\t/efi\tEFI/Linux/gentoo-${KV}.efi\tunknown\tnotset`,
		);
		expect(formatInstallLogLine({ date: new Date(0), vendor: 'x\ty', kv: 'a\nb' }).split('\t')).toHaveLength(11);
	});

	it('one line per install and per removal; the last install also in /var/lib/misc/installkernel', async () => {
		root = layoutRoot({ layout: 'uki', uki: true, esp: true });
		const ctx = layoutContext(root);
		await installKernel(ctx, KV);
		await removeKernel(ctx, KV);
		const [install, removal] = logColumns(root);
		expect(install!.slice(1)).toEqual([
			'dist-kernel',
			KV,
			'/etc/kernel',
			'uki',
			'dracut',
			'dracut',
			'/efi',
			`EFI/Linux/gentoo-${KV}.efi`,
			'unknown',
			'notset',
		]);
		expect(install![0]).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d UTC \d{4}$/);
		expect(removal!.slice(1, 5)).toEqual(['dist-kernel-remove', KV, '/etc/kernel', 'uki']);
		expect(contentOf(root, '/var/lib/misc/installkernel').split('\t').slice(1, 3)).toEqual(['dist-kernel', KV]);
	});

	it("compat: kernel and initramfs relative to /boot; with installkernel's own 99-write-log hook, it writes the line instead", async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		await installKernel(layoutContext(root), KV);
		expect(logColumns(root)[0]!.slice(7, 10)).toEqual(['/boot', `vmlinuz-${KV}`, `initramfs-${KV}.img`]);
		root.cleanup();
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		root.write('/etc/kernel/postinst.d/99-write-log.install', '#!/bin/bash\nexit 0\n', 0o755);
		await installKernel(layoutContext(root, { installBackend: 'installkernel' }), KV);
		expect(() => readFileSync(root!.path('/var/log/installkernel.log'))).toThrow();
	});
});

describe('prebuilt images beside the kernel image (10-copy-prebuilt)', () => {
	it('an initrd shipped in /lib/modules/KV is installed as it is: no dracut run', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		root.write(`/lib/modules/${KV}/initrd`, 'shipped generic initrd\n');
		await installKernel(layoutContext(root), KV);
		expect(contentOf(root, `/boot/initramfs-${KV}.img`)).toBe('shipped generic initrd\n');
		expect(dracutRuns(root)).toEqual([]);
	});

	it('a shipped initrd cannot hold the modules of an installed USE=initramfs module package for that kernel: dracut builds one', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		root.write(`/lib/modules/${KV}/initrd`, 'shipped generic initrd\n');
		writeModulePackage(root.root, 'sys-fs/zfs-kmod-2.2.0', KV, { initramfs: true, modules: ['extra/zfs.ko.xz'] });
		writeModulePackage(root.root, 'x11-drivers/nvidia-drivers-550.1', '6.0.1-gentoo-dist', { initramfs: true });
		writeModulePackage(root.root, 'app-emulation/virtualbox-modules-7.0', KV, { initramfs: false });
		await installKernel(layoutContext(root), KV);
		expect(contentOf(root, `/boot/initramfs-${KV}.img`)).toBe(`stand-in initramfs for ${KV}\n`);
		expect(dracutRuns(root)).toHaveLength(1);
	});

	it('a shipped uki.efi is the UKI of layout=uki (gentoo-kernel-bin[generic-uki]); use-prebuilt = no builds locally', async () => {
		root = layoutRoot({ layout: 'uki', uki: false, esp: true });
		root.write(`/lib/modules/${KV}/uki.efi`, 'shipped signed generic UKI\n');
		await installKernel(layoutContext(root), KV);
		expect(root.tree()).toEqual([`/efi/EFI/Linux/gentoo-${KV}.efi`]);
		expect(contentOf(root, `/efi/EFI/Linux/gentoo-${KV}.efi`)).toBe('shipped signed generic UKI\n');
		expect(dracutRuns(root)).toEqual([]);
		await installKernel(layoutContext(root, { usePrebuilt: false }), KV);
		expect(contentOf(root, `/efi/EFI/Linux/gentoo-${KV}.efi`)).toBe(`stand-in uki for ${KV}\n`);
		expect(dracutRuns(root)).toHaveLength(1);
	});
});

describe('doctor', () => {
	it('finds a layout the next install cannot honour (layout=uki, no ESP) and a rescue image with files gone', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		const ctx = layoutContext(root, { rescueImage: true });
		await installKernel(ctx, KV);
		expect((await runDoctor(ctx, { running: KV })).map((f) => f.id)).not.toContain('layout.no-esp');
		root.write('/etc/kernel/install.conf', 'layout=uki\n');
		rmSync(root.path(`/boot/vmlinuz-0-rescue-${MACHINE_ID}`));
		const findings = await runDoctor(ctx, { running: KV });
		const layout = findings.find((f) => f.id === 'layout.no-esp');
		expect(layout?.level).toBe('error');
		expect(layout?.fix).toContain('mount the ESP');
		expect(findings.find((f) => f.id === 'rescue.incomplete')?.level).toBe('warning');
	});
});

describe('chroot guard (05-check-chroot)', () => {
	it('--root with host-only dracut and no command line configured: refused before dracut, naming where to set one', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false, cmdline: false });
		root.write('/etc/dracut.conf.d/10-test.conf', 'hostonly="yes"\n');
		expect(await failureCode(installKernel(layoutContext(root), KV))).toBe('chroot.cmdline');
		expect(dracutRuns(root)).toEqual([]);
		expect(root.tree()).toEqual([]);
		root.write('/etc/cmdline.d/root.conf', 'root=/dev/vda2\n');
		await installKernel(layoutContext(root), KV);
		expect(dracutRuns(root)).toHaveLength(1);
	});

	it("a BLS entry under --root needs /etc/kernel/cmdline: the build host's /proc/cmdline is never used", async () => {
		root = layoutRoot({ layout: 'bls', uki: false, esp: true, cmdline: false });
		expect(await failureCode(installKernel(layoutContext(root), KV))).toBe('chroot.cmdline');
		expect(root.tree()).toEqual([]);
	});
});
