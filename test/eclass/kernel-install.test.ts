// kernel-install.eclass in real bash under the PMS shim: metadata, phases, and the runtime calls they make.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSandbox, q, type Sandbox } from './harness';

let box: Sandbox;
beforeAll(() => {
	box = makeSandbox();
});
afterAll(() => box.cleanup());

const KV = '6.6.30-gentoo-dist';
const PKG = 'EAPI=8 CATEGORY=sys-kernel PN=gentoo-kernel PV=6.6.30 PF=gentoo-kernel-6.6.30 P=gentoo-kernel-6.6.30';
const header = (pre = '') => `${PKG}\n${pre}\ninherit kernel-install\nKV_FULL=${KV}`;

/** The kernel tree and modules dir a Gentoo kernel package merges, under `root`. */
function mergedKernel(root: string, kv = KV): string {
	const src = join(root, 'usr', 'src', `linux-${kv}`);
	mkdirSync(join(src, 'arch', 'x86', 'boot'), { recursive: true });
	mkdirSync(join(src, 'include', 'config'), { recursive: true });
	writeFileSync(join(src, 'arch', 'x86', 'boot', 'bzImage'), 'kernel image');
	writeFileSync(join(src, 'include', 'config', 'kernel.release'), `${kv}\n`);
	writeFileSync(join(src, 'System.map'), '');
	writeFileSync(join(src, 'Makefile'), 'VERSION = 6\n');
	writeFileSync(join(src, 'dist-kernel'), `sys-kernel/gentoo-kernel-6.6.30:6.6.30\n`);
	mkdirSync(join(root, 'lib', 'modules', kv), { recursive: true });
	return src;
}

describe('metadata', () => {
	it("slots by version, leaves PDEPEND to the kernel ebuilds (as Gentoo's eclass), and needs the runtime at install time", async () => {
		const result = await box.run(
			`${header()}\necho "SLOT=$SLOT"\necho "IUSE=$(echo $E_IUSE)"\necho "IDEPEND=$(echo $E_IDEPEND)"\necho "PDEPEND=$(echo $E_PDEPEND)"\necho "RDEPEND=$(echo $E_RDEPEND)"`,
		);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('SLOT=6.6.30\n');
		expect(result.stdout).toContain('IUSE=+initramfs test\n');
		expect(result.stdout).toContain('IDEPEND=sys-kernel/dist-kernel-runtime initramfs? ( sys-kernel/dracut )\n');
		// gentoo-kernel, gentoo-kernel-bin and vanilla-kernel name >=virtual/dist-kernel-PV themselves
		expect(result.stdout).toContain('PDEPEND=\n');
		expect(result.stdout).toContain('RDEPEND=virtual/libelf\n');
	});

	it('KERNEL_IUSE_GENERIC_UKI adds generic-uki and modules-compress, and the initrd package licenses', async () => {
		const result = await box.run(
			`${header('KERNEL_IUSE_GENERIC_UKI=1')}\necho "IUSE=$(echo $E_IUSE)"\necho "LICENSE=$(echo $LICENSE)"\necho "PKGS=\${#INITRD_PACKAGES[@]}"`,
		);
		expect(result.stdout).toContain('IUSE=+initramfs test generic-uki modules-compress\n');
		expect(result.stdout).toMatch(/LICENSE=GPL-2 generic-uki\? \( .*GPL-2.* \)\n/);
		expect(result.stdout).toMatch(/PKGS=[1-9]/);
	});

	it("exports the phases Gentoo's eclass exports (no pkg_prerm: DEFINED_PHASES stay the same)", async () => {
		const result = await box.run(
			`${header()}\ndeclare -F src_test pkg_pretend pkg_preinst pkg_postinst pkg_prerm pkg_postrm pkg_config`,
		);
		expect(result.stdout.trim().split('\n')).toEqual([
			'src_test',
			'pkg_pretend',
			'pkg_preinst',
			'pkg_postinst',
			'pkg_postrm',
			'pkg_config',
		]);
	});

	it('dies for EAPI 7', async () => {
		const result = await box.run(`EAPI=7\ninherit kernel-install`);
		expect(result.texts('DIE')[0]).toBe('kernel-install: EAPI 7 not supported');
	});
});

describe('pkg_pretend', () => {
	it('reports the free space in /boot and warns about a missing linux-firmware', async () => {
		mkdirSync(join(box.prefix, 'boot'), { recursive: true });
		const result = await box.run(`${header()}\nKERNEL_BOOT_MIN_FREE_MB=1\npkg_pretend`);
		expect(result.code).toBe(0);
		expect(result.texts('INFO').join('\n')).toMatch(/\d+ MiB free in .*\/boot/);
		expect(result.texts('WARN').join('\n')).toContain('sys-kernel/linux-firmware is not installed');
	});

	it('warns when /boot has less room than wanted (measured with df)', async () => {
		const result = await box.run(`${header()}\nKERNEL_BOOT_MIN_FREE_MB=999999999\npkg_pretend`, {
			env: { SHIM_INSTALLED: 'sys-kernel/linux-firmware-20240101' },
		});
		expect(result.code).toBe(0);
		expect(result.texts('WARN').join('\n')).toMatch(/Only \d+ MiB are free in .*\/boot \(999999999 MiB wanted/);
		expect(result.texts('WARN').join('\n')).not.toContain('linux-firmware');
	});

	it('warns loudly when USE=initramfs is disabled', async () => {
		const off = await box.run(`${header()}\npkg_pretend`, { env: { USE: '' } });
		expect(off.texts('WARN').join('\n')).toContain('USE=initramfs is disabled');
		const on = await box.run(`${header()}\npkg_pretend`, { env: { USE: 'initramfs' } });
		expect(on.texts('WARN').join('\n')).not.toContain('USE=initramfs is disabled');
	});
});

describe('pkg_preinst', () => {
	it('dies when the image lacks /usr/src/linux-KV', async () => {
		const result = await box.run(`${header()}\npkg_preinst`, { env: { D: join(box.dir, 'empty-image') } });
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toMatch(
			/^Kernel directory .*\/usr\/src\/linux-6\.6\.30-gentoo-dist not installed!$/,
		);
	});

	it('dies when KV_FULL does not match the package version', async () => {
		const image = join(box.dir, 'image-mismatch');
		mkdirSync(join(image, 'usr', 'src', 'linux-6.7.0-gentoo-dist'), { recursive: true });
		const result = await box.run(`${header()}\nKV_FULL=6.7.0-gentoo-dist\npkg_preinst`, {
			env: { D: image, EPREFIX: '' },
		});
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('Kernel version mismatch: got 6.7.0-gentoo-dist, expected 6.6.30*');
	});

	it('passes for a consistent image, and fixes the tree links on merged-usr systems', async () => {
		const image = join(box.dir, 'image-ok');
		mergedKernel(image);
		const moddir = join(image, 'lib', 'modules', KV);
		symlinkSync(`../../../usr/src/linux-${KV}`, join(moddir, 'build'));
		symlinkSync(`../../../usr/src/linux-${KV}/arch/x86/boot/bzImage`, join(moddir, 'vmlinuz'));
		const root = join(box.dir, 'merged-usr-root');
		mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
		symlinkSync('usr/lib', join(root, 'lib'));
		// image paths use ED (no prefix), EROOT is the merged-usr root
		const result = await box.run(`${header()}\nEROOT=${q(root)}\npkg_preinst`, { env: { D: image, EPREFIX: '' } });
		expect(result.code, result.stderr).toBe(0);
		expect(readlinkSync(join(moddir, 'build'))).toBe(`../../../src/linux-${KV}`);
		expect(readlinkSync(join(moddir, 'vmlinuz'))).toBe(`../../../src/linux-${KV}/arch/x86/boot/bzImage`);
	});
});

describe('pkg_postinst', () => {
	it('updates /usr/src/linux and runs `dist-kernel install KV --package CAT/PF --image IMAGE` when ROOT is empty', async () => {
		mergedKernel(box.prefix);
		const result = await box.run(`${header()}\npkg_postinst`);
		expect(result.code, result.stderr).toBe(0);
		expect(readlinkSync(join(box.prefix, 'usr', 'src', 'linux'))).toBe(`linux-${KV}`);
		expect(result.runtimeCalls).toEqual([
			[
				'install',
				KV,
				'--package',
				'sys-kernel/gentoo-kernel-6.6.30',
				'--image',
				`/usr/src/linux-${KV}/arch/x86/boot/bzImage`,
			],
		]);
		expect(result.texts('WARN')).toContain('fake runtime warning for install');
		expect(result.texts('LOG')).toContain(`fake runtime did install ${KV}`);
	});

	it('takes the release from include/config/kernel.release (binary kernels)', async () => {
		const src = mergedKernel(box.prefix, '6.6.30');
		writeFileSync(join(src, 'include', 'config', 'kernel.release'), '6.6.30-gentoo-dist-bin\n');
		const result = await box.run(`${PKG}\ninherit kernel-install\npkg_postinst`);
		expect(result.code, result.stderr).toBe(0);
		expect(result.runtimeCalls[0]?.slice(0, 2)).toEqual(['install', '6.6.30-gentoo-dist-bin']);
	});

	it('leaves a /usr/src/linux pointing at another kernel alone', async () => {
		const root = join(box.dir, 'other-link');
		mergedKernel(root);
		mergedKernel(root, '6.1.90-custom');
		symlinkSync('linux-6.1.90-custom', join(root, 'usr', 'src', 'linux'));
		const result = await box.run(`${header()}\npkg_postinst`, { env: { EPREFIX: root } });
		expect(result.code).toBe(0);
		expect(readlinkSync(join(root, 'usr', 'src', 'linux'))).toBe('linux-6.1.90-custom');
		expect(result.texts('LOG').join('\n')).toContain('points at another kernel, leaving it as-is');
	});

	it('moves /usr/src/linux off an older version of this package that is still installed', async () => {
		const root = join(box.dir, 'older-link');
		mergedKernel(root);
		mergedKernel(root, '6.6.29');
		symlinkSync('linux-6.6.29', join(root, 'usr', 'src', 'linux'));
		const result = await box.run(`${header()}\npkg_postinst`, {
			env: { EPREFIX: root, SHIM_INSTALLED: 'sys-kernel/gentoo-kernel-6.6.29' },
		});
		expect(result.code).toBe(0);
		expect(readlinkSync(join(root, 'usr', 'src', 'linux'))).toBe(`linux-${KV}`);
	});

	it('does no boot work when ROOT is not empty, and says how to finish', async () => {
		const root = join(box.dir, 'rooted');
		mergedKernel(root);
		const result = await box.run(`${header()}\npkg_postinst`, { env: { ROOT: root, EPREFIX: '' } });
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([]);
		expect(result.texts('LOG').join('\n')).toContain("emerge --config '=sys-kernel/gentoo-kernel-6.6.30'");
	});

	it('dies with the emerge --config retry hint when the runtime fails', async () => {
		mergedKernel(box.prefix);
		const result = await box.run(`${header()}\npkg_postinst`, { env: { FAKE_RUNTIME_EXIT: '1' } });
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe(`dist-kernel install ${KV} failed`);
		expect(result.texts('ERROR')).toContain("    emerge --config '=sys-kernel/gentoo-kernel-6.6.30'");
	});

	it('with USE=generic-uki, extracts the prebuilt UKI sections before installing', async () => {
		const root = join(box.dir, 'uki-root');
		const src = mergedKernel(root);
		// a real PE with .linux/.initrd sections, made with objcopy like a UKI
		const boot = join(src, 'arch', 'x86', 'boot');
		writeFileSync(join(box.dir, 'linux.bin'), 'LINUX-SECTION');
		writeFileSync(join(box.dir, 'initrd.bin'), 'INITRD-SECTION');
		const stub = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';
		execFileSync('objcopy', [
			'--add-section',
			`.linux=${join(box.dir, 'linux.bin')}`,
			'--change-section-vma',
			'.linux=0x2000000',
			'--add-section',
			`.initrd=${join(box.dir, 'initrd.bin')}`,
			'--change-section-vma',
			'.initrd=0x3000000',
			stub,
			join(boot, 'uki.efi'),
		]);
		const result = await box.run(`${header('KERNEL_IUSE_GENERIC_UKI=1')}\npkg_postinst`, {
			env: { EPREFIX: root, USE: 'generic-uki initramfs' },
		});
		expect(result.code, result.stderr).toBe(0);
		expect(execFileSync('cat', [join(boot, 'bzImage')], { encoding: 'utf8' })).toBe('LINUX-SECTION');
		expect(execFileSync('cat', [join(boot, 'initrd')], { encoding: 'utf8' })).toBe('INITRD-SECTION');
		expect(result.runtimeCalls[0]?.[0]).toBe('install');
	});
});

describe('pkg_postrm', () => {
	it('runs `dist-kernel remove KV --package CAT/PF` and cleans the generated initrd from the tree', async () => {
		const src = mergedKernel(box.prefix, KV);
		writeFileSync(join(src, 'arch', 'x86', 'boot', 'initrd'), 'generated');
		const result = await box.run(`${header()}\npkg_postrm`);
		expect(result.code, result.stderr).toBe(0);
		expect(result.runtimeCalls).toEqual([['remove', KV, '--package', 'sys-kernel/gentoo-kernel-6.6.30']]);
		expect(existsSync(join(src, 'arch', 'x86', 'boot', 'initrd'))).toBe(false);
		expect(result.texts('WARN')).toContain('fake runtime warning for remove');
	});

	it('removes nothing when the same version is being rebuilt (REPLACED_BY_VERSION)', async () => {
		const result = await box.run(`${header()}\nREPLACED_BY_VERSION=6.6.30\npkg_postrm`);
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([]);
	});

	it('keeps the boot entry of the running kernel and tells how to remove it later', async () => {
		const running = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
		const result = await box.run(`${header()}\nKV_FULL=${q(running)}\npkg_postrm`);
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([]);
		expect(result.texts('WARN').join('\n')).toContain(`dist-kernel remove ${running}`);
	});

	it('does nothing when ROOT is not empty', async () => {
		const result = await box.run(`${header()}\npkg_postrm`, { env: { ROOT: join(box.dir, 'rooted') } });
		expect(result.code).toBe(0);
		expect(result.runtimeCalls).toEqual([]);
	});

	it('a failing runtime is reported but does not fail the unmerge', async () => {
		const result = await box.run(`${header()}\npkg_postrm`, { env: { FAKE_RUNTIME_EXIT: '1' } });
		expect(result.code).toBe(0);
		expect(result.texts('ERROR').join('\n')).toContain(`Retry with: dist-kernel remove ${KV}`);
	});
});

describe('pkg_config', () => {
	it('reruns the installation', async () => {
		mergedKernel(box.prefix);
		const result = await box.run(`${header()}\npkg_config`);
		expect(result.code).toBe(0);
		expect(result.runtimeCalls.map((c) => c.slice(0, 2))).toEqual([['install', KV]]);
	});

	it('refuses a non-empty ROOT', async () => {
		const result = await box.run(`${header()}\npkg_config`, { env: { ROOT: join(box.dir, 'rooted') } });
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toContain('run emerge --config on the target system itself');
	});
});

describe('helpers', () => {
	it('src_test reminds the ebuild to call kernel-install_test', async () => {
		const result = await box.run(`${header()}\nsrc_test`);
		expect(result.texts('DIE')[0]).toBe('Please redefine src_test() and call kernel-install_test().');
	});

	it('kernel-install_test checks its arguments', async () => {
		const result = await box.run(`${header()}\nkernel-install_test only-one`);
		expect(result.texts('DIE')[0]).toBe('Usage: kernel-install_test <version> <image> <modules> [<config>]');
	});

	it('kernel-install_create_init builds a static init that greets, and create_qemu_image puts it in an ext4 image', async () => {
		const out = join(box.dir, 'test-init');
		const image = join(box.dir, 'test-fs.img');
		const result = await box.run(
			`${header()}\nkernel-install_create_init ${q(out)}\nkernel-install_create_qemu_image ${q(image)}`,
		);
		expect(result.code, result.stderr).toBe(0);
		expect(execFileSync(out, { encoding: 'utf8' })).toMatch(/^Booted: Linux .*\nHello, World!\n$/);
		expect(execFileSync('file', ['-b', out], { encoding: 'utf8' })).toContain('statically linked');
		const listing = execFileSync('debugfs', ['-R', 'ls -p /sbin', image], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		expect(listing).toContain('/init/');
		const again = await box.run(`${header()}\nkernel-install_create_init ${q(out)}`);
		expect(again.texts('DIE')[0]).toContain('already exists');
	});

	it.each([
		['amd64', 'x86_64'],
		['arm64', 'aarch64'],
		['loong', 'loongarch64'],
		['riscv', 'riscv'],
	])('kernel-install_get_qemu_arch: %s -> %s', async (arch, qemu) => {
		const result = await box.run(`${header()}\nkernel-install_get_qemu_arch`, { env: { ARCH: arch } });
		expect(result.stdout).toBe(`${qemu}\n`);
	});

	it('kernel-install_compress_modules compresses per the kernel config with USE=modules-compress', async () => {
		const image = join(box.dir, 'image-compress');
		const src = join(image, 'usr', 'src', `linux-${KV}`);
		mkdirSync(src, { recursive: true });
		writeFileSync(join(src, '.config'), 'CONFIG_MODULE_COMPRESS_XZ=y\n');
		const mods = join(image, 'lib', 'modules', KV, 'kernel');
		mkdirSync(mods, { recursive: true });
		for (const name of ['a.ko', 'b.ko']) writeFileSync(join(mods, name), `module ${name}`.repeat(100));
		const result = await box.run(`${header('KERNEL_IUSE_GENERIC_UKI=1')}\nkernel-install_compress_modules`, {
			env: { D: image, EPREFIX: '', USE: 'modules-compress' },
		});
		expect(result.code, result.stderr).toBe(0);
		expect(readdirSync(mods).sort()).toEqual(['a.ko.xz', 'b.ko.xz']);
		expect(execFileSync('xz', ['-dc', join(mods, 'a.ko.xz')], { encoding: 'utf8' })).toBe('module a.ko'.repeat(100));
	});
});
