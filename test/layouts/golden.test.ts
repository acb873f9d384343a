// Golden trees: every layout × initramfs/UKI × ESP present/absent, with the built-in backend and the installkernel
// backend (the file set Gentoo's installkernel without systemd leaves — bls as systemd's 90-loaderentry writes
// it), and with this machine's real systemd kernel-install (Debian's 252: only bls has a plugin; every other
// layout is a typed error naming the missing plugin). Stand-in dracut and a fake kernel: the subject is where
// files go.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type ErrorCode, isDistKernelError } from '../../src/lib/errors';
import { installKernel } from '../../src/runtime/features/install/install-kernel';
import { removeKernel } from '../../src/runtime/features/install/remove-kernel';
import { testBin } from '../helpers/bin';
import { installPlugins } from '../runtime/kernel-root';
import { contentOf, KV, type LayoutRoot, layoutContext, layoutRoot, MACHINE_ID } from './layout-root';

type Case = { layout: string; uki: boolean; esp: boolean; tree?: string[]; error?: ErrorCode };

const CLASSIC = [`/boot/System.map-${KV}`, `/boot/config-${KV}`, `/boot/initramfs-${KV}.img`, `/boot/vmlinuz-${KV}`];
const EFISTUB = (initrd: boolean) => [
	`/efi/EFI/Gentoo/System.map-${KV}`,
	`/efi/EFI/Gentoo/config-${KV}`,
	...(initrd ? [`/efi/EFI/Gentoo/initramfs-${KV}.img`] : []),
	`/efi/EFI/Gentoo/vmlinuz-${KV}.efi`,
];
const BLS = (base: string, initrd: boolean) => [
	`${base}/gentoo/${KV}/${initrd ? 'initrd' : 'linux'}`,
	...(initrd ? [`${base}/gentoo/${KV}/linux`] : []),
	`${base}/loader/entries/gentoo-${KV}.conf`,
];

const BUILTIN_CASES: Case[] = [];
for (const uki of [false, true]) {
	for (const esp of [true, false]) {
		BUILTIN_CASES.push({ layout: 'compat', uki, esp, tree: CLASSIC });
		BUILTIN_CASES.push({ layout: 'grub', uki, esp, tree: CLASSIC });
		BUILTIN_CASES.push({ layout: 'bls', uki, esp, tree: BLS(esp ? '/efi' : '/boot', !uki) });
		BUILTIN_CASES.push(
			esp
				? { layout: 'uki', uki, esp, tree: [`/efi/EFI/Linux/gentoo-${KV}.efi`] }
				: { layout: 'uki', uki, esp, error: 'layout.no-esp' },
		);
		BUILTIN_CASES.push(
			esp
				? { layout: 'efistub', uki, esp, tree: EFISTUB(!uki) }
				: { layout: 'efistub', uki, esp, error: 'layout.no-esp' },
		);
	}
}

let root: LayoutRoot | undefined;
afterEach(() => {
	root?.cleanup();
	root = undefined;
});

/** The installed image path installkernel hands its postinst.d hooks, for each layout. */
function postinstImage(r: LayoutRoot, tree: string[]): string {
	return r.path(tree.find((p) => /vmlinuz-[^/]*$|\/linux$|\.efi$/.test(p))!);
}

describe.each(['builtin', 'installkernel'] as const)('%s backend: golden trees', (backend) => {
	it.each(BUILTIN_CASES)('layout=$layout uki=$uki esp=$esp', async ({ layout, uki, esp, tree, error }) => {
		root = layoutRoot({ layout, uki, esp });
		const hookLog = root.path('/hook.log');
		if (backend === 'installkernel')
			root.write(
				'/etc/kernel/postinst.d/50-record',
				`#!/bin/bash\necho "$INSTALLKERNEL_LAYOUT $*" >> '${hookLog}'\n`,
				0o755,
			);
		const ctx = layoutContext(root, { installBackend: backend });
		if (error) {
			const failure = await installKernel(ctx, KV).catch((e: unknown) => e);
			expect(isDistKernelError(failure, error)).toBe(true);
			expect(root.tree()).toEqual([]);
			return;
		}
		await installKernel(ctx, KV);
		expect(root.tree()).toEqual([...tree!].sort());
		if (backend === 'installkernel')
			expect(readFileSync(hookLog, 'utf8')).toBe(`${layout} ${KV} ${postinstImage(root, tree!)}\n`);
		// What is the image and what the initramfs: the UKI whenever one was built or the layout asks for it.
		const image = tree!.find((p) => /vmlinuz-[^/]*$|\/linux$|\.efi$/.test(p))!;
		expect(contentOf(root, image)).toBe(
			uki || layout === 'uki' ? `stand-in uki for ${KV}\n` : `fake kernel image ${KV}\n`,
		);
		// `remove` takes every versioned file of the layout away again.
		await removeKernel(ctx, KV);
		expect(root.tree()).toEqual([]);
	});

	it('bls: the entry is what 90-loaderentry writes, options from /etc/kernel/cmdline', async () => {
		root = layoutRoot({ layout: 'bls', uki: false, esp: true });
		await installKernel(layoutContext(root), KV);
		expect(contentOf(root, `/efi/loader/entries/gentoo-${KV}.conf`)).toBe(
			[
				`title      Gentoo Linux`,
				`version    ${KV}`,
				`sort-key   gentoo`,
				`options    root=/dev/vda2 ro quiet`,
				`linux      /efi/gentoo/${KV}/linux`,
				`initrd     /efi/gentoo/${KV}/initrd`,
				'',
			].join('\n'),
		);
	});
});

// systemd 252: kernel-install picks the machine id as entry token when no token directory exists.
const KI_BLS = (base: string) => [
	`${base}/${MACHINE_ID}/${KV}/initrd`,
	`${base}/${MACHINE_ID}/${KV}/linux`,
	`${base}/loader/entries/${MACHINE_ID}-${KV}.conf`,
];
const KERNEL_INSTALL_CASES: Case[] = [];
for (const uki of [false, true]) {
	for (const esp of [true, false]) {
		KERNEL_INSTALL_CASES.push({ layout: 'bls', uki, esp, tree: KI_BLS(esp ? '/efi' : '/boot') });
		for (const layout of ['compat', 'grub', 'uki', 'efistub'])
			KERNEL_INSTALL_CASES.push({ layout, uki, esp, error: 'layout.unsupported' });
	}
}

describe("kernel-install backend (this machine's systemd 252): golden trees", () => {
	it.each(KERNEL_INSTALL_CASES)('layout=$layout uki=$uki esp=$esp', async ({ layout, uki, esp, tree, error }) => {
		root = layoutRoot({ layout, uki, esp });
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n# marks kernel-install as installed in this root\n', 0o755);
		installPlugins(root.root);
		const runtime = root.write(
			'/test-bin/dist-kernel',
			`#!/bin/sh\nexec '${process.execPath}' '${testBin()}' --root '${root.root}' "$@"\n`,
			0o755,
		);
		const ctx = layoutContext(root, { installBackend: 'auto' }, { DIST_KERNEL_RUNTIME: runtime });
		if (error) {
			const failure = await installKernel(ctx, KV).catch((e: unknown) => e);
			expect(isDistKernelError(failure, error), String(failure)).toBe(true);
			expect(root.tree()).toEqual([]);
			return;
		}
		await installKernel(ctx, KV);
		expect(root.tree()).toEqual([...tree!].sort());
		const base = esp ? '/efi' : '/boot';
		const entry = contentOf(root, `${base}/loader/entries/${MACHINE_ID}-${KV}.conf`);
		expect(entry).toMatch(/^options +root=\/dev\/vda2 ro quiet systemd.machine_id=/m);
		expect(contentOf(root, `${base}/${MACHINE_ID}/${KV}/linux`)).toBe(
			uki ? `stand-in uki for ${KV}\n` : `fake kernel image ${KV}\n`,
		);
		await removeKernel(ctx, KV);
		expect(root.tree()).toEqual([]);
	});
});
