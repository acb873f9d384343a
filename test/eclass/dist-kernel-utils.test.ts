// dist-kernel-utils.eclass in real bash under the PMS shim, with a fake runtime recording its argv.
import { mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSandbox, q, type Sandbox } from './harness';

let box: Sandbox;
beforeAll(() => {
	box = makeSandbox();
});
afterAll(() => box.cleanup());

const inherit = 'inherit dist-kernel-utils';

describe('dist-kernel_PV_to_KV', () => {
	it.each([
		['6.0_rc1', '6.0.0-rc1'],
		['6.0', '6.0.0'],
		['6.0.1_rc1', '6.0.1-rc1'],
		['6.0.1', '6.0.1'],
		['5.15.206_p2', '5.15.206-p2'],
		['6.12.8', '6.12.8'],
	])('converts %s to %s', async (pv, kv) => {
		const result = await box.run(`${inherit}\ndist-kernel_PV_to_KV ${q(pv)}`);
		expect(result.code).toBe(0);
		expect(result.stdout).toBe(`${kv}\n`);
	});

	it('dies without exactly one argument', async () => {
		const none = await box.run(`${inherit}\ndist-kernel_PV_to_KV`);
		expect(none.code).toBe(1);
		expect(none.texts('DIE')[0]).toContain('Usage: dist-kernel_PV_to_KV');
		const two = await box.run(`${inherit}\ndist-kernel_PV_to_KV 6.0 6.1`);
		expect(two.code).toBe(1);
	});

	it('dies on something that is not a version', async () => {
		const result = await box.run(`${inherit}\ndist-kernel_PV_to_KV banana`);
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toContain("'banana' is not a kernel package version");
	});
});

describe('dist-kernel_get_image_path', () => {
	it.each([
		['amd64', '', 'arch/x86/boot/bzImage'],
		['x86', '', 'arch/x86/boot/bzImage'],
		['arm64', '', 'arch/arm64/boot/Image.gz'],
		['arm64', '1', 'arch/arm64/boot/vmlinuz.efi'],
		['riscv', '', 'arch/riscv/boot/Image.gz'],
		['loong', '', 'arch/loongarch/boot/vmlinux.elf'],
		['loong', '1', 'arch/loongarch/boot/vmlinuz.efi'],
		['arm', '', 'arch/arm/boot/zImage'],
		['ppc64', '', './vmlinux'],
		['sparc', '', './vmlinux'],
	])('ARCH=%s KERNEL_EFI_ZBOOT=%s gives %s', async (arch, zboot, path) => {
		const result = await box.run(`${inherit}\nKERNEL_EFI_ZBOOT=${q(zboot)}\ndist-kernel_get_image_path`, {
			env: { ARCH: arch },
		});
		expect(result.stdout).toBe(`${path}\n`);
	});

	it('dies on an unknown ARCH', async () => {
		const result = await box.run(`${inherit}\ndist-kernel_get_image_path`, { env: { ARCH: 'm68k' } });
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toContain('unsupported ARCH=m68k');
	});
});

describe('module suffix and compressor', () => {
	const config = (choice: string) => `CONFIG_MODULES=y\nCONFIG_MODULE_COMPRESS_${choice}=y\n`;

	it('is .ko unless the package has modules-compress enabled', async () => {
		const file = join(box.dir, 'config-zstd');
		writeFileSync(file, config('ZSTD'));
		const noFlag = await box.run(`${inherit}\ndist-kernel_get_module_suffix ${q(file)}`);
		expect(noFlag.stdout).toBe('.ko\n');
		const disabled = await box.run(`IUSE=modules-compress\n${inherit}\ndist-kernel_get_module_suffix ${q(file)}`);
		expect(disabled.stdout).toBe('.ko\n');
		const enabled = await box.run(`IUSE=modules-compress\n${inherit}\ndist-kernel_get_module_suffix ${q(file)}`, {
			env: { USE: 'modules-compress' },
		});
		expect(enabled.stdout).toBe('.ko.zst\n');
	});

	it.each([
		['GZIP', '.ko.gz', 'gzip'],
		['XZ', '.ko.xz', 'xz --check=crc32 --lzma2=dict=1MiB'],
		['ZSTD', '.ko.zst', 'zstd -q --rm'],
		['NONE', '.ko', ''],
	])('CONFIG_MODULE_COMPRESS_%s gives %s compressed by "%s"', async (choice, suffix, compressor) => {
		const dir = join(box.dir, `tree-${choice}`);
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, '.config'), config(choice));
		const result = await box.run(
			`IUSE=modules-compress\n${inherit}\ns=$(dist-kernel_get_module_suffix ${q(dir)}) || exit 9\necho "$s"\ndist-kernel_get_compressor "$s"`,
			{ env: { USE: 'modules-compress' } },
		);
		expect(result.code).toBe(0);
		expect(result.stdout).toBe(`${suffix}\n${compressor ? `${compressor}\n` : ''}`);
	});

	it('dies on an unreadable config and on an unknown suffix', async () => {
		const missing = await box.run(
			`IUSE=modules-compress\n${inherit}\ndist-kernel_get_module_suffix /nonexistent/.config`,
			{
				env: { USE: 'modules-compress' },
			},
		);
		expect(missing.code).toBe(1);
		expect(missing.texts('DIE')[0]).toContain('is not readable');
		const unknown = await box.run(`${inherit}\ndist-kernel_get_compressor .ko.bz2`);
		expect(unknown.code).toBe(1);
	});
});

describe('dist-kernel_compressed_module_cleanup', () => {
	it('keeps the suffix the kernel config prefers and removes the other copies', async () => {
		const mods = join(box.prefix, 'lib', 'modules', '6.1.0-cleanup');
		mkdirSync(join(mods, 'kernel'), { recursive: true });
		writeFileSync(join(mods, 'config'), 'CONFIG_MODULE_COMPRESS_XZ=y\n');
		for (const f of ['a.ko', 'a.ko.xz', 'a.ko.zst', 'b.ko', 'c.ko.xz']) writeFileSync(join(mods, 'kernel', f), f);
		const result = await box.run(
			`IUSE=modules-compress\n${inherit}\ndist-kernel_compressed_module_cleanup ${q(mods)}`,
			{
				env: { USE: 'modules-compress' },
			},
		);
		expect(result.code).toBe(0);
		expect(readdirSync(join(mods, 'kernel')).sort()).toEqual(['a.ko.xz', 'b.ko', 'c.ko.xz']);
	});

	it('keeps the newest copy when the preferred one is absent', async () => {
		const mods = join(box.prefix, 'lib', 'modules', '6.1.0-newest');
		mkdirSync(mods, { recursive: true });
		writeFileSync(join(mods, 'm.ko'), 'old');
		writeFileSync(join(mods, 'm.ko.zst'), 'new');
		utimesSync(join(mods, 'm.ko'), new Date(2020, 1, 1), new Date(2020, 1, 1));
		const result = await box.run(`${inherit}\nKV_FULL=none\ndist-kernel_compressed_module_cleanup ${q(mods)}`);
		expect(result.code).toBe(0);
		expect(readdirSync(mods)).toEqual(['m.ko.zst']);
		expect(result.texts('INFO').join('\n')).toContain('Removing stale module');
	});

	it('does nothing for a missing directory', async () => {
		const result = await box.run(`${inherit}\ndist-kernel_compressed_module_cleanup /nonexistent/lib/modules/x`);
		expect(result.code).toBe(0);
	});
});

describe('dist-kernel_install_kernel', () => {
	function kernelTree(kv: string): string {
		const src = join(box.prefix, 'usr', 'src', `linux-${kv}`);
		mkdirSync(join(src, 'arch', 'x86', 'boot'), { recursive: true });
		writeFileSync(join(src, 'arch', 'x86', 'boot', 'bzImage'), 'image');
		writeFileSync(join(src, 'dist-kernel'), 'sys-kernel/gentoo-kernel-6.6.30:6.6.30\n');
		mkdirSync(join(box.prefix, 'lib', 'modules', kv), { recursive: true });
		writeFileSync(join(box.prefix, 'lib', 'modules', kv, 'vmlinuz'), 'image');
		return src;
	}

	it('calls `dist-kernel install KV --package CAT/PF --image IMAGE` and relays the runtime log', async () => {
		const src = kernelTree('6.6.30-gentoo-dist');
		const result = await box.run(`${inherit}\nKV_FULL=6.6.30-gentoo-dist KV_DIR=${q(src)}\ndist-kernel_install_kernel`);
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([
			// a path on the target system: EROOT (here the EPREFIX temp root) is not part of it
			[
				'install',
				'6.6.30-gentoo-dist',
				'--package',
				'sys-kernel/test-pkg-1.0',
				'--image',
				'/usr/src/linux-6.6.30-gentoo-dist/arch/x86/boot/bzImage',
			],
		]);
		expect(result.texts('WARN')).toContain('fake runtime warning for install');
		expect(result.texts('LOG')).toContain('fake runtime did install 6.6.30-gentoo-dist');
		expect(result.texts('ERROR')).toContain('fake runtime error line');
	});

	it('accepts the old 3-argument installkernel form', async () => {
		const src = kernelTree('6.6.31-gentoo-dist');
		const image = join(src, 'arch/x86/boot/bzImage');
		const result = await box.run(
			`${inherit}\ndist-kernel_install_kernel 6.6.31-gentoo-dist ${q(image)} ${q(join(src, 'System.map'))}`,
		);
		expect(result.code).toBe(0);
		expect(result.runtimeCalls[0]?.slice(0, 2)).toEqual(['install', '6.6.31-gentoo-dist']);
		expect(result.runtimeCalls[0]).toContain('/usr/src/linux-6.6.31-gentoo-dist/arch/x86/boot/bzImage');
	});

	it('dies with a retry hint naming the kernel package when the runtime fails', async () => {
		const src = kernelTree('6.6.32-gentoo-dist');
		const result = await box.run(
			`${inherit}\nKV_FULL=6.6.32-gentoo-dist KV_DIR=${q(src)}\ndist-kernel_install_kernel`,
			{
				env: { FAKE_RUNTIME_EXIT: '1' },
			},
		);
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('dist-kernel install 6.6.32-gentoo-dist failed');
		expect(result.texts('ERROR')).toContain("    emerge --config '=sys-kernel/gentoo-kernel-6.6.30'");
		// the runtime's own messages are relayed before dying
		expect(result.texts('WARN')).toContain('fake runtime warning for install');
	});

	it('falls back to the current package in the retry hint when the tree has no identifier', async () => {
		const kv = '6.6.33-gentoo-dist';
		const src = kernelTree(kv);
		rmSync(join(src, 'dist-kernel'));
		// a file named like the identifier above the tree must not be taken for it
		writeFileSync(join(box.prefix, 'usr', 'dist-kernel'), '#!/bin/sh\n');
		const result = await box.run(`${inherit}\nKV_FULL=${kv} KV_DIR=${q(src)}\ndist-kernel_install_kernel`, {
			env: { FAKE_RUNTIME_EXIT: '1' },
		});
		expect(result.code).toBe(1);
		expect(result.texts('ERROR')).toContain("    emerge --config '=sys-kernel/test-pkg-1.0'");
	});

	it('does no boot work when ROOT is not empty', async () => {
		const result = await box.run(`${inherit}\nKV_FULL=6.6.30-gentoo-dist\ndist-kernel_install_kernel`, {
			env: { ROOT: box.prefix },
		});
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([]);
		expect(result.texts('WARN').join('\n')).toContain('was not installed into /boot');
	});

	it('reinstalls every installed kernel with --all', async () => {
		kernelTree('6.6.30-gentoo-dist');
		kernelTree('6.6.31-gentoo-dist');
		const result = await box.run(
			`${inherit}\nKV_FULL=6.6.30-gentoo-dist\ndist-kernel_install_kernel '' '' '' '' --all`,
		);
		expect(result.code).toBe(0);
		const versions = result.runtimeCalls.map((call) => call[1]);
		expect(versions).toEqual(expect.arrayContaining(['6.6.30-gentoo-dist', '6.6.31-gentoo-dist']));
		expect(result.runtimeCalls.every((call) => call[0] === 'install')).toBe(true);
	});

	it('dies with install instructions when the runtime is missing', async () => {
		const result = await box.run(`${inherit}\nKV_FULL=6.6.30-gentoo-dist\ndist-kernel_install_kernel`, {
			env: { DIST_KERNEL_RUNTIME: 'dist-kernel-not-installed-here' },
		});
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toContain('dist-kernel runtime not found');
		expect(result.texts('ERROR').join('\n')).toContain('sys-kernel/dist-kernel-runtime');
	});
});

describe('dist-kernel_reinstall_initramfs', () => {
	it('calls `dist-kernel initramfs KV --package CAT/PF` for an installed kernel', async () => {
		const kv = '6.6.40-gentoo-dist';
		mkdirSync(join(box.prefix, 'lib', 'modules', kv), { recursive: true });
		writeFileSync(join(box.prefix, 'lib', 'modules', kv, 'vmlinuz'), 'image');
		const result = await box.run(
			`${inherit}\ndist-kernel_reinstall_initramfs ${q(join(box.prefix, `usr/src/linux-${kv}`))} ${kv}`,
		);
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([['initramfs', kv, '--package', 'sys-kernel/test-pkg-1.0']]);
		expect(result.texts('WARN')).toContain('fake runtime warning for initramfs');
	});

	it('prints an error and returns 0 when the kernel image is missing', async () => {
		const result = await box.run(
			`${inherit}\ndist-kernel_reinstall_initramfs /nonexistent 9.9.9-missing && echo returned-ok`,
		);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('returned-ok');
		expect(result.runtimeCalls).toEqual([]);
		expect(result.texts('ERROR').join('\n')).toContain('Please reinstall kernel 9.9.9-missing');
	});

	it('dies when the runtime fails', async () => {
		const kv = '6.6.41-gentoo-dist';
		mkdirSync(join(box.prefix, 'lib', 'modules', kv), { recursive: true });
		writeFileSync(join(box.prefix, 'lib', 'modules', kv, 'vmlinuz'), 'image');
		const result = await box.run(`${inherit}\ndist-kernel_reinstall_initramfs '' ${kv}`, {
			env: { FAKE_RUNTIME_EXIT: '2' },
		});
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe(`dist-kernel initramfs ${kv} failed`);
	});

	it('reads CONFIG_EFI_ZBOOT from the kernel tree (arm64 image path)', async () => {
		const kv = '6.6.42-gentoo-dist';
		const src = join(box.prefix, 'usr', 'src', `linux-${kv}`);
		mkdirSync(join(src, 'arch', 'arm64', 'boot'), { recursive: true });
		writeFileSync(join(src, '.config'), 'CONFIG_EFI_ZBOOT=y\n');
		writeFileSync(join(src, 'arch', 'arm64', 'boot', 'vmlinuz.efi'), 'image');
		const result = await box.run(
			`${inherit}\ndist-kernel_reinstall_initramfs ${q(src)} ${kv}\necho "zboot=$KERNEL_EFI_ZBOOT"`,
			{
				env: { ARCH: 'arm64' },
			},
		);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('zboot=1');
		expect(result.runtimeCalls).toEqual([['initramfs', kv, '--package', 'sys-kernel/test-pkg-1.0']]);
	});

	it("no version and KV_FULL empty: an error message and return 0, as Gentoo's eclass; with --all every installed kernel", async () => {
		const own = makeSandbox();
		try {
			const none = await own.run(`${inherit}\nKV_FULL=''\ndist-kernel_reinstall_initramfs '' '' && echo returned-ok`);
			expect(none.code).toBe(0);
			expect(none.stdout).toContain('returned-ok');
			expect(none.runtimeCalls).toEqual([]);
			expect(none.texts('DIE')).toEqual([]);
			expect(none.texts('ERROR').join('\n')).toContain('KV_FULL is empty');

			const kvs = ['6.6.50-gentoo-dist', '6.6.51-gentoo-dist'];
			for (const kv of kvs) {
				mkdirSync(join(own.prefix, 'lib', 'modules', kv), { recursive: true });
				writeFileSync(join(own.prefix, 'lib', 'modules', kv, 'vmlinuz'), 'image');
			}
			const all = await own.run(`${inherit}\nKV_FULL=''\ndist-kernel_reinstall_initramfs '' '' --all`);
			expect(all.code).toBe(0);
			expect(all.runtimeCalls).toEqual(kvs.map((kv) => ['initramfs', kv, '--package', 'sys-kernel/test-pkg-1.0']));
		} finally {
			own.cleanup();
		}
	});

	it('does nothing when ROOT is not empty', async () => {
		const result = await box.run(`${inherit}\ndist-kernel_reinstall_initramfs /x 6.6.40-gentoo-dist`, {
			env: { ROOT: box.prefix },
		});
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([]);
	});
});

describe('source and modules symlinks', () => {
	it('dist-kernel_update_src_symlink creates a missing /usr/src/linux and leaves a foreign one alone', async () => {
		const root = join(box.dir, 'src-links');
		mkdirSync(join(root, 'usr', 'src', 'linux-6.6.30-gentoo-dist'), { recursive: true });
		const created = await box.run(
			`${inherit}\ndist-kernel_update_src_symlink ${q(join(root, 'usr/src/linux'))} 6.6.30-gentoo-dist`,
		);
		expect(created.code).toBe(0);
		expect(readlinkSync(join(root, 'usr', 'src', 'linux'))).toBe('linux-6.6.30-gentoo-dist');

		mkdirSync(join(root, 'usr', 'src', 'linux-6.1.0-custom'), { recursive: true });
		writeFileSync(join(root, 'usr', 'src', 'linux-6.1.0-custom', 'Makefile'), '');
		rmSync(join(root, 'usr', 'src', 'linux'));
		symlinkSync('linux-6.1.0-custom', join(root, 'usr', 'src', 'linux'));
		const kept = await box.run(
			`${inherit}\ndist-kernel_update_src_symlink ${q(join(root, 'usr/src/linux'))} 6.6.30-gentoo-dist`,
		);
		expect(readlinkSync(join(root, 'usr', 'src', 'linux'))).toBe('linux-6.1.0-custom');
		expect(kept.texts('LOG')).toContain("Please use 'eselect kernel' to update it when desired.");
		const can = await box.run(
			`${inherit}\ndist-kernel_can_update_src_symlink ${q(join(root, 'usr/src/linux'))} || echo refused`,
		);
		expect(can.stdout).toBe('refused\n');
	});

	it('dist-kernel_update_lib_symlinks rewrites the module dir links on merged-usr only', async () => {
		const kv = '6.6.30-gentoo-dist';
		const image = join(box.dir, 'lib-links-image');
		const moddir = join(image, 'lib', 'modules', kv);
		mkdirSync(moddir, { recursive: true });
		symlinkSync(`../../../usr/src/linux-${kv}`, join(moddir, 'source'));
		symlinkSync(`../../../usr/src/linux-${kv}/arch/x86/boot/bzImage`, join(moddir, 'vmlinuz'));
		const split = join(box.dir, 'split-usr');
		mkdirSync(join(split, 'lib'), { recursive: true });
		const unchanged = await box.run(
			`${inherit}\nEROOT=${q(split)} ED=${q(image)}\ndist-kernel_update_lib_symlinks ${kv}`,
		);
		expect(unchanged.code).toBe(0);
		expect(readlinkSync(join(moddir, 'source'))).toBe(`../../../usr/src/linux-${kv}`);

		const merged = join(box.dir, 'merged-usr');
		mkdirSync(join(merged, 'usr', 'lib'), { recursive: true });
		symlinkSync('usr/lib', join(merged, 'lib'));
		const result = await box.run(
			`${inherit}\nEROOT=${q(merged)} ED=${q(image)} KV_FULL=${kv}\ndist-kernel_update_lib_symlinks`,
		);
		expect(result.code).toBe(0);
		expect(readlinkSync(join(moddir, 'source'))).toBe(`../../../src/linux-${kv}`);
		expect(readlinkSync(join(moddir, 'vmlinuz'))).toBe(`../../../src/linux-${kv}/arch/x86/boot/bzImage`);
	});

	it('dist-kernel_update_lib_symlinks keeps a split tree (O=): build and source still lead to their own halves on merged-usr', async () => {
		const kv = '6.6.30-gentoo-dist';
		const image = join(box.dir, 'split-tree-image');
		const moddir = join(image, 'lib', 'modules', kv);
		mkdirSync(moddir, { recursive: true });
		symlinkSync(`../../../usr/src/linux-${kv}`, join(moddir, 'build'));
		symlinkSync(`../../../usr/src/linux-headers-${kv}-common`, join(moddir, 'source'));
		symlinkSync(`/usr/src/linux-${kv}/.config`, join(moddir, 'config'));
		const merged = join(box.dir, 'merged-usr-split');
		mkdirSync(join(merged, 'usr', 'lib'), { recursive: true });
		symlinkSync('usr/lib', join(merged, 'lib'));
		const result = await box.run(
			`${inherit}\nEROOT=${q(merged)} ED=${q(image)}\ndist-kernel_update_lib_symlinks ${kv}`,
		);
		expect(result.code, result.stderr).toBe(0);
		expect(readlinkSync(join(moddir, 'build'))).toBe(`../../../src/linux-${kv}`);
		expect(readlinkSync(join(moddir, 'source'))).toBe(`../../../src/linux-headers-${kv}-common`);
		expect(readlinkSync(join(moddir, 'config'))).toBe(`../../../src/linux-${kv}/.config`);
	});
});

describe('eclass skeleton', () => {
	it('dies for an unsupported EAPI naming the eclass', async () => {
		const result = await box.run(`EAPI=6\n${inherit}`);
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('dist-kernel-utils: EAPI 6 not supported');
	});

	it('accepts EAPI 7 as the Gentoo eclass does', async () => {
		const result = await box.run(`EAPI=7\n${inherit}\ndist-kernel_PV_to_KV 6.1`);
		expect(result.stdout).toBe('6.1.0\n');
	});

	it('can be inherited twice (include guard)', async () => {
		const result = await box.run(`${inherit}\n${inherit}\necho "$INHERITED"`);
		expect(result.code).toBe(0);
		// as Gentoo's: mount-boot-utils (the /boot-mounted check) from ::gentoo, then toolchain-funcs
		expect(result.stdout.trim()).toBe('mount-boot-utils toolchain-funcs dist-kernel-utils');
	});
});
