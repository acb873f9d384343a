// The calling conventions Gentoo's own ebuilds and eclasses use with ours, each encoded by an ebuild snippet
// written for this test that calls us the way sys-kernel/gentoo-kernel{,-bin}, vanilla-kernel, kernel-build.eclass,
// sys-fs/zfs-kmod, media-video/v4l2loopback and x11-drivers/nvidia-drivers do (read on gentoo/gentoo, not copied).
// Kernel packages run with a fake runtime; module packages build real modules against Debian's headers.
import { execFileSync, spawnSync } from 'node:child_process';
import {
	chmodSync,
	cpSync,
	existsSync,
	mkdirSync,
	readFileSync,
	readlinkSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianHeaders, MODULE_FIXTURE, makeSandbox, q, type Sandbox } from './harness';

let box: Sandbox;
const headers = debianHeaders();
beforeAll(() => {
	box = makeSandbox();
});
afterAll(() => box.cleanup());

const BIN_PV = '6.18.56';
const BIN_KV = `${BIN_PV}-gentoo-dist-bin`;
/** gentoo-kernel-bin's global scope, as far as it concerns our eclasses. */
const binEbuild = (
	pv = BIN_PV,
) => `EAPI=8 CATEGORY=sys-kernel PN=gentoo-kernel-bin PV=${pv} PR=r0 PVR=${pv} PF=gentoo-kernel-bin-${pv} P=gentoo-kernel-bin-${pv}
KERNEL_IUSE_GENERIC_UKI=1
inherit kernel-install toolchain-funcs
IUSE="debug"
PDEPEND=">=virtual/dist-kernel-\${PV}"
KV_LOCALVERSION='-gentoo-dist-bin'
KV_FULL=\${PV/_p/-p}\${KV_LOCALVERSION}`;

const STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

/** A merged gentoo-kernel-bin tree under `root`, optionally with a real PE uki.efi holding .linux and .initrd. */
function mergedBinKernel(root: string, withUki: boolean): { tree: string; image: Buffer; initrd: Buffer } {
	const tree = join(root, 'usr', 'src', `linux-${BIN_KV}`);
	const boot = join(tree, 'arch', 'x86', 'boot');
	mkdirSync(boot, { recursive: true });
	mkdirSync(join(tree, 'include', 'config'), { recursive: true });
	writeFileSync(join(tree, 'include', 'config', 'kernel.release'), `${BIN_KV}\n`);
	writeFileSync(join(tree, 'System.map'), '');
	writeFileSync(join(tree, 'Makefile'), '');
	writeFileSync(join(tree, '.config'), 'CONFIG_MODULES=y\nCONFIG_MODULE_COMPRESS_XZ=y\n');
	writeFileSync(join(tree, 'dist-kernel'), `sys-kernel/gentoo-kernel-bin-${BIN_PV}:${BIN_PV}\n`);
	mkdirSync(join(root, 'lib', 'modules', BIN_KV), { recursive: true });
	const image = Buffer.alloc(70000, 7);
	const initrd = Buffer.alloc(30000, 9);
	if (withUki) {
		const parts = join(root, '..', 'uki-parts');
		mkdirSync(parts, { recursive: true });
		writeFileSync(join(parts, 'linux'), image);
		writeFileSync(join(parts, 'initrd'), initrd);
		execFileSync('objcopy', [
			'--add-section',
			`.linux=${join(parts, 'linux')}`,
			'--set-section-flags',
			'.linux=data,readonly',
			'--change-section-vma',
			'.linux=0x2000000',
			'--add-section',
			`.initrd=${join(parts, 'initrd')}`,
			'--set-section-flags',
			'.initrd=data,readonly',
			'--change-section-vma',
			'.initrd=0x3000000',
			STUB,
			join(boot, 'uki.efi'),
		]);
		// the binary package ships empty placeholders next to the UKI
		writeFileSync(join(boot, 'bzImage'), '');
		writeFileSync(join(boot, 'initrd'), '');
	} else {
		writeFileSync(join(boot, 'bzImage'), image);
	}
	return { tree, image, initrd };
}

/** A real hello.ko for the Debian headers, built once (for the kernel-side module tests). */
let helloKo = '';
beforeAll(() => {
	const work = join(box.dir, 'hello-build');
	cpSync(MODULE_FIXTURE, work, { recursive: true });
	execFileSync('make', ['-C', headers.build, `M=${work}`, 'modules'], { stdio: 'ignore' });
	helloKo = join(work, 'hello.ko');
});

describe('kernel packages (gentoo-kernel-bin, gentoo-kernel, vanilla-kernel through kernel-build)', () => {
	it("global scope: KV_FULL set before inherit-time defaults, the ebuild's own PDEPEND alone, INITRD_PACKAGES keys usable as BDEPEND", async () => {
		// kernel-build.eclass puts ${!INITRD_PACKAGES[@]} (the keys) into BDEPEND under generic-uki
		const result = await box.run(
			`${binEbuild()}\necho "KV_FULL=$KV_FULL"\necho "SLOT=$SLOT"\necho "IUSE=$(echo $E_IUSE $IUSE)"\necho "PDEPEND=$(echo $E_PDEPEND $PDEPEND)"\necho "BDEPEND=generic-uki? ( \${!INITRD_PACKAGES[*]} )"`,
		);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(`KV_FULL=${BIN_KV}\n`);
		expect(result.stdout).toContain(`SLOT=${BIN_PV}\n`);
		expect(result.stdout).toContain('IUSE=+initramfs test generic-uki modules-compress debug\n');
		// as with Gentoo's eclass: the ebuild names the virtual, the eclass adds nothing (no duplicate)
		expect(result.stdout).toContain(`PDEPEND=>=virtual/dist-kernel-${BIN_PV}\n`);
		const bdepend = /BDEPEND=generic-uki\? \( (.*) \)/.exec(result.stdout)?.[1] ?? '';
		// atoms (with version operators and USE dependencies), arch-conditional groups
		for (const word of bdepend.split(' '))
			expect(word).toMatch(/^((>=)?[a-z0-9-]+\/[A-Za-z0-9+_.-]+(\[[^\]]+\])?|[a-z0-9]+\?|\(|\))$/);
		expect(bdepend).toContain('sys-kernel/dracut');
	});

	it('the eclass adds no PDEPEND, for releases as for live ebuilds (vanilla-kernel-6.18.9999): the kernel ebuilds name their virtual', async () => {
		for (const pv of ['6.18.9999', '6.18.56']) {
			const result = await box.run(
				`EAPI=8 CATEGORY=sys-kernel PN=vanilla-kernel PV=${pv}\ninherit kernel-install\necho "PDEPEND=[$(echo $E_PDEPEND)]"`,
			);
			expect(result.stdout, pv).toContain('PDEPEND=[]\n');
		}
	});

	it('dist-kernel_get_compressor takes the kernel .config, as kernel-build passes it to dracut --compress', async () => {
		const config = join(box.dir, 'kb-config');
		writeFileSync(config, 'CONFIG_MODULE_COMPRESS_XZ=y\n');
		const script = `${binEbuild()}\nKV_FULL=6.18.56-gentoo-dist\necho "[$(dist-kernel_get_compressor ${q(config)})]"`;
		expect((await box.run(script, { env: { USE: 'generic-uki modules-compress' } })).stdout).toBe(
			'[xz --check=crc32 --lzma2=dict=1MiB]\n',
		);
		// USE=-modules-compress: modules and the generic initrd stay as they are
		expect((await box.run(script, { env: { USE: 'generic-uki' } })).stdout).toBe('[]\n');
	});

	describe('kernel-install_test <version> <image> <modules> <config> (kernel-build and gentoo-kernel-bin src_test)', () => {
		let fakeBin = '';
		beforeAll(() => {
			fakeBin = join(box.dir, 'fake-test-tools');
			mkdirSync(fakeBin, { recursive: true });
			// dracut and qemu are the expensive parts: record how they are called, let "init" greet (or the console
			// show what $FAKE_CONSOLE says); real expect watches that console
			writeFileSync(join(fakeBin, 'dracut'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${fakeBin}/dracut.args"\n`);
			writeFileSync(
				join(fakeBin, 'qemu-system-x86_64'),
				`#!/bin/sh\nprintf '%s\\n' "$@" > "${fakeBin}/qemu.args"\necho "\${FAKE_CONSOLE-Hello, World!}"\n`,
			);
			chmodSync(join(fakeBin, 'dracut'), 0o755);
			chmodSync(join(fakeBin, 'qemu-system-x86_64'), 0o755);
		});

		it("expect is installed (.ci/install-deps): kernel-install_test watches the console with it, as Gentoo's eclass", () => {
			expect(spawnSync('expect', ['-c', 'exit 0']).status, 'expect(1) not found on PATH: run .ci/install-deps').toBe(0);
		});

		const runTest = async (pre: string, use: string, console?: string) => {
			const config = join(box.dir, 'test-config');
			writeFileSync(config, 'CONFIG_MODULE_COMPRESS_ZSTD=y\n');
			// the test image is made in ${T}: start from a clean one each time
			const result = await box.run(
				`${binEbuild()}\n${pre}\nrm -rf "\${T}/fs.img" "\${T}/imageroot"\nkernel-install_test "\${KV_FULL}" /fake/bzImage /fake/modules ${q(config)}`,
				{
					env: {
						PATH: `${fakeBin}:${process.env['PATH']}`,
						USE: use,
						...(console === undefined ? {} : { FAKE_CONSOLE: console }),
					},
				},
			);
			return {
				result,
				dracut: readFileSync(join(fakeBin, 'dracut.args'), 'utf8').split('\n'),
				qemu: readFileSync(join(fakeBin, 'qemu.args'), 'utf8'),
			};
		};

		it('accepts the fourth <config> argument and compresses the initramfs like the modules', async () => {
			const { result, dracut, qemu } = await runTest('', 'modules-compress');
			expect(result.code, result.stderr).toBe(0);
			expect(dracut).toContain('--compress=zstd -q --rm');
			expect(dracut).toContain('/fake/modules');
			expect(dracut).toContain(BIN_KV);
			expect(qemu).toContain('/fake/bzImage');
			// gentoo-kernel-bin has no modules-sign flag: its modules are signed, enforce it
			expect(qemu).toContain('module.sig_enforce=1');
			expect(result.texts('INFO')).toContain(`Kernel ${BIN_KV} booted successfully`);
		});

		it("fails on what expect sees on the console: a kernel panic, the initramfs's emergency shell, qemu exiting without a greeting", async () => {
			for (const [console, why] of [
				['Kernel panic - not syncing: VFS: Unable to mount root fs', '* Kernel panic'],
				['Entering emergency mode. Exit the shell to continue.', '* The initramfs did not reach the root file system'],
				['qemu-system-x86_64: cannot set up guest memory', '* qemu exited before the kernel booted'],
			] as const) {
				const { result } = await runTest('', '', console);
				expect(result.code, console).toBe(1);
				expect(result.stderr, console).toContain(why);
				expect(result.texts('DIE'), console).toEqual([
					`Booting the kernel ${BIN_KV} failed (see the console output above)`,
				]);
			}
		});

		it('does not enforce signatures when a modules-sign flag exists and is off (kernel-build)', async () => {
			const { result, dracut, qemu } = await runTest('IUSE+=" modules-sign"', '');
			expect(result.code, result.stderr).toBe(0);
			expect(dracut.some((arg) => arg.startsWith('--compress'))).toBe(false);
			expect(qemu).not.toContain('sig_enforce');
		});
	});

	it('kernel-install_compress_modules (gentoo-kernel-bin src_install) compresses and rebuilds modules.dep', async () => {
		const D = join(box.dir, 'image-compress');
		const moddir = join(D, 'lib', 'modules', BIN_KV);
		mkdirSync(join(moddir, 'kernel', 'misc'), { recursive: true });
		cpSync(helloKo, join(moddir, 'kernel', 'misc', 'hello.ko'));
		mkdirSync(join(D, 'usr', 'src', `linux-${BIN_KV}`), { recursive: true });
		writeFileSync(
			join(D, 'usr', 'src', `linux-${BIN_KV}`, '.config'),
			'CONFIG_MODULES=y\nCONFIG_MODULE_COMPRESS_XZ=y\n',
		);
		// a binary package ships modules.dep naming the uncompressed files
		execFileSync('depmod', ['--all', '--basedir', D, BIN_KV], { stdio: 'ignore' });
		const result = await box.run(`${binEbuild()}\ndostrip -x /lib/modules\nkernel-install_compress_modules`, {
			env: { D, EPREFIX: '', USE: 'modules-compress' },
		});
		expect(result.code, result.stderr).toBe(0);
		expect(existsSync(join(moddir, 'kernel', 'misc', 'hello.ko.xz'))).toBe(true);
		expect(existsSync(join(moddir, 'kernel', 'misc', 'hello.ko'))).toBe(false);
		expect(readFileSync(join(moddir, 'modules.dep'), 'utf8')).toBe('kernel/misc/hello.ko.xz:\n');
	});

	it('pkg_preinst puts back the signing key kernel-build moved to ${T}, readable by root only', async () => {
		const D = join(box.dir, 'image-preinst');
		mkdirSync(join(D, 'usr', 'src', `linux-${BIN_KV}`, 'certs'), { recursive: true });
		writeFileSync(join(box.T, 'signing_key.pem'), '-----BEGIN PRIVATE KEY-----\n');
		const result = await box.run(`${binEbuild()}\npkg_preinst\nrm -f "\${T}/signing_key.pem"`, {
			env: { D, EPREFIX: '' },
		});
		expect(result.code, result.stderr).toBe(0);
		const key = join(D, 'usr', 'src', `linux-${BIN_KV}`, 'certs', 'signing_key.pem');
		expect(readFileSync(key, 'utf8')).toBe('-----BEGIN PRIVATE KEY-----\n');
		expect(statSync(key).mode & 0o777).toBe(0o600);
	});

	it('USE=generic-uki: postinst extracts kernel and initrd from the prebuilt PE UKI and links them in /lib/modules/KV', async () => {
		const root = join(box.dir, 'root-uki', 'r');
		const { tree, image, initrd } = mergedBinKernel(root, true);
		const result = await box.run(`${binEbuild()}\npkg_postinst`, {
			env: { EPREFIX: root, USE: 'initramfs generic-uki' },
		});
		expect(result.code, result.stderr).toBe(0);
		const boot = join(tree, 'arch', 'x86', 'boot');
		expect(readFileSync(join(boot, 'bzImage')).equals(image)).toBe(true);
		expect(readFileSync(join(boot, 'initrd')).equals(initrd)).toBe(true);
		const moddir = join(root, 'lib', 'modules', BIN_KV);
		expect(readlinkSync(join(moddir, 'initrd'))).toBe(`../../../usr/src/linux-${BIN_KV}/arch/x86/boot/initrd`);
		expect(readlinkSync(join(moddir, 'uki.efi'))).toBe(`../../../usr/src/linux-${BIN_KV}/arch/x86/boot/uki.efi`);
		expect(result.runtimeCalls).toEqual([
			[
				'install',
				BIN_KV,
				'--package',
				`sys-kernel/gentoo-kernel-bin-${BIN_PV}`,
				'--image',
				`/usr/src/linux-${BIN_KV}/arch/x86/boot/bzImage`,
			],
		]);
		expect(readlinkSync(join(root, 'usr', 'src', 'linux'))).toBe(`linux-${BIN_KV}`);
	});

	describe("USE=generic-uki with a signed prebuilt UKI (verified against the kernel's certs/signing_key.x509)", () => {
		let keys = '';
		beforeAll(() => {
			keys = join(box.dir, 'sb-keys');
			mkdirSync(keys, { recursive: true });
			for (const name of ['good', 'other']) {
				execFileSync(
					'openssl',
					[
						'req',
						'-x509',
						'-newkey',
						'rsa:2048',
						'-nodes',
						'-subj',
						`/CN=${name}`,
						'-days',
						'2',
						'-keyout',
						join(keys, `${name}.key`),
						'-out',
						join(keys, `${name}.pem`),
					],
					{ stdio: 'ignore' },
				);
			}
		});

		/** A tree whose uki.efi is signed with `ukiKey` and holds a PE kernel signed with `kernelKey`. */
		function signedTree(name: string, ukiKey: string, kernelKey: string): { root: string; kernel: Buffer } {
			const root = join(box.dir, `root-sb-${name}`, 'r');
			const { tree } = mergedBinKernel(root, false);
			const parts = join(root, '..', 'parts');
			mkdirSync(parts, { recursive: true });
			// the systemd stub stands in for a signed EFI-stub kernel
			execFileSync(
				'sbsign',
				[
					'--key',
					join(keys, `${kernelKey}.key`),
					'--cert',
					join(keys, `${kernelKey}.pem`),
					'--output',
					join(parts, 'kernel.efi'),
					STUB,
				],
				{ stdio: 'ignore' },
			);
			writeFileSync(join(parts, 'initrd'), Buffer.alloc(4096, 3));
			execFileSync('objcopy', [
				'--add-section',
				`.linux=${join(parts, 'kernel.efi')}`,
				'--set-section-flags',
				'.linux=data,readonly',
				'--change-section-vma',
				'.linux=0x2000000',
				'--add-section',
				`.initrd=${join(parts, 'initrd')}`,
				'--set-section-flags',
				'.initrd=data,readonly',
				'--change-section-vma',
				'.initrd=0x3000000',
				STUB,
				join(parts, 'uki.unsigned'),
			]);
			const boot = join(tree, 'arch', 'x86', 'boot');
			execFileSync(
				'sbsign',
				[
					'--key',
					join(keys, `${ukiKey}.key`),
					'--cert',
					join(keys, `${ukiKey}.pem`),
					'--output',
					join(boot, 'uki.efi'),
					join(parts, 'uki.unsigned'),
				],
				{ stdio: 'ignore' },
			);
			writeFileSync(join(boot, 'bzImage'), '');
			// the kernel's module signing certificate, DER as the kernel build writes it
			mkdirSync(join(tree, 'certs'), { recursive: true });
			execFileSync('openssl', [
				'x509',
				'-in',
				join(keys, 'good.pem'),
				'-outform',
				'DER',
				'-out',
				join(tree, 'certs', 'signing_key.x509'),
			]);
			return { root, kernel: readFileSync(join(parts, 'kernel.efi')) };
		}

		it('installs when both signatures verify', async () => {
			const { root, kernel } = signedTree('ok', 'good', 'good');
			const result = await box.run(`${binEbuild()}\npkg_postinst`, {
				env: { EPREFIX: root, USE: 'initramfs generic-uki' },
			});
			expect(result.code, result.stderr).toBe(0);
			expect(result.texts('INFO')).toContain('Signature verification OK');
			const image = join(root, 'usr', 'src', `linux-${BIN_KV}`, 'arch', 'x86', 'boot', 'bzImage');
			expect(readFileSync(image).equals(kernel)).toBe(true);
			expect(result.runtimeCalls.map((call) => call[0])).toEqual(['install']);
		});

		it.each([
			['the UKI is signed with another key', 'other', 'good', 'The signature of'],
			['the kernel inside is signed with another key', 'good', 'other', 'The signature of the kernel inside'],
		])('dies before installing anything when %s', async (_what, ukiKey, kernelKey, message) => {
			const { root } = signedTree(`${ukiKey}-${kernelKey}`, ukiKey, kernelKey);
			const result = await box.run(`${binEbuild()}\npkg_postinst`, {
				env: { EPREFIX: root, USE: 'initramfs generic-uki' },
			});
			expect(result.code).toBe(1);
			expect(result.texts('DIE')[0]).toContain(message);
			expect(result.runtimeCalls).toEqual([]);
			const image = join(root, 'usr', 'src', `linux-${BIN_KV}`, 'arch', 'x86', 'boot', 'bzImage');
			expect(readFileSync(image).length).toBe(0);
		});

		it('a package with USE=-secureboot skips the check (secureboot.eclass users)', async () => {
			const { root } = signedTree('nosb', 'other', 'other');
			const result = await box.run(`${binEbuild()}\nIUSE+=" secureboot"\npkg_postinst`, {
				env: { EPREFIX: root, USE: 'initramfs generic-uki' },
			});
			expect(result.code, result.stderr).toBe(0);
			expect(result.runtimeCalls.map((call) => call[0])).toEqual(['install']);
		});
	});

	it('USE=-generic-uki: the placeholders are removed and no link is made', async () => {
		const root = join(box.dir, 'root-nouki', 'r');
		const { tree } = mergedBinKernel(root, false);
		writeFileSync(join(tree, 'arch', 'x86', 'boot', 'uki.efi'), '');
		const result = await box.run(`${binEbuild()}\npkg_postinst`, { env: { EPREFIX: root, USE: 'initramfs' } });
		expect(result.code, result.stderr).toBe(0);
		expect(existsSync(join(tree, 'arch', 'x86', 'boot', 'uki.efi'))).toBe(false);
		expect(existsSync(join(root, 'lib', 'modules', BIN_KV, 'uki.efi'))).toBe(false);
		expect(result.runtimeCalls.map((call) => call[0])).toEqual(['install']);
	});

	it('pkg_postrm drops the links left dangling in /lib/modules/KV by the removal, and keeps live ones', async () => {
		const root = join(box.dir, 'root-postrm', 'r');
		const moddir = join(root, 'lib', 'modules', BIN_KV);
		mkdirSync(moddir, { recursive: true });
		symlinkSync(`../../../usr/src/linux-${BIN_KV}`, join(moddir, 'build'));
		symlinkSync('kept-target', join(moddir, 'live'));
		writeFileSync(join(moddir, 'kept-target'), '');
		const result = await box.run(`${binEbuild()}\npkg_postrm`, { env: { EPREFIX: root } });
		expect(result.code, result.stderr).toBe(0);
		expect(existsSync(join(moddir, 'build')) || statSyncSafe(join(moddir, 'build'))).toBe(false);
		expect(readlinkSync(join(moddir, 'live'))).toBe('kept-target');
		expect(result.runtimeCalls).toEqual([['remove', BIN_KV, '--package', `sys-kernel/gentoo-kernel-bin-${BIN_PV}`]]);
	});
});

/** lstat that reports whether the link itself still exists. */
function statSyncSafe(path: string): boolean {
	try {
		readlinkSync(path);
		return true;
	} catch {
		return false;
	}
}

describe('module packages', () => {
	it('v4l2loopback style: exported KERNEL_DIR stays the user\'s, KERNELRELEASE=${KV_FULL}, modlist "name=video:::all"', async () => {
		// the package Makefile finds the kernel through KERNEL_DIR/KERNELRELEASE from the environment
		const work = join(box.dir, 'v4l-style');
		cpSync(MODULE_FIXTURE, work, { recursive: true });
		writeFileSync(
			join(work, 'Makefile'),
			'KERNELRELEASE ?= `uname -r`\nKERNEL_DIR ?= /lib/modules/$(KERNELRELEASE)/build\nall: hello.ko\nhello.ko:\n\t$(MAKE) -C $(KERNEL_DIR) M=$(CURDIR) modules\n.PHONY: all hello.ko\n',
		);
		const D = join(box.dir, 'image-v4l');
		const result = await box.run(
			`EAPI=8 CATEGORY=media-video PN=v4l2loopback PV=0.15.4 PF=v4l2loopback-0.15.4 P=v4l2loopback-0.15.4
inherit linux-mod-r1 toolchain-funcs
IUSE="examples"
pkg_setup() {
	local CONFIG_CHECK="VIDEO_DEV"
	linux-mod-r1_pkg_setup
	export KERNELRELEASE="\${KV_FULL}"
}
src_compile() {
	local modlist=( "hello=video:::all" )
	linux-mod-r1_src_compile
}
src_install() {
	linux-mod-r1_src_install
}
EBUILD_PHASE=setup pkg_setup
echo "KERNEL_DIR=$KERNEL_DIR"
cd ${q(work)} || die
EBUILD_PHASE=compile src_compile
EBUILD_PHASE=install src_install`,
			{ env: { KERNEL_DIR: headers.build, D, EPREFIX: '', USE: 'strip' } },
		);
		expect(result.code, result.stderr.slice(-3000)).toBe(0);
		expect(result.stdout).toContain(`KERNEL_DIR=${headers.build}\n`);
		const ko = join(D, 'lib', 'modules', headers.kv, 'video', 'hello.ko');
		expect(execFileSync('modinfo', ['-F', 'vermagic', ko], { encoding: 'utf8' }).split(' ')[0]).toBe(headers.kv);
	});

	it('dkms.eclass style: modules_process_modlist completes modlist in place for another build description', async () => {
		const work = join(box.dir, 'dkms-style');
		cpSync(MODULE_FIXTURE, join(work, 'withmake'), { recursive: true });
		// a directory with only a Kbuild file: built through the kernel's build system, no make target
		mkdirSync(join(work, 'kbuildonly'), { recursive: true });
		cpSync(join(MODULE_FIXTURE, 'Kbuild'), join(work, 'kbuildonly', 'Kbuild'));
		const result = await box.run(
			`inherit linux-mod-r1
KERNEL_DIR=${q(headers.build)}
linux-mod-r1_pkg_setup
cd ${q(work)} || die
autoconf() {
	local modlist=( hello=misc:withmake other=/updates/x:kbuildonly:kbuildonly/obj )
	local modargs=( KDIR="\${KV_OUT_DIR}" )
	modules_process_modlist
	local mod name
	for mod in "\${modlist[@]}"; do
		name=\${mod%%=*}
		mod=\${mod#"\${name}"}
		IFS=: read -ra mod <<<"\${mod#=}"
		pushd "\${mod[1]}" >/dev/null || die
		echo "\${name} dest=\${mod[0]} src=\${mod[1]} built=.\${mod[2]#"\${mod[1]%/.}"}/ make=[\${mod[3]}]"
		popd >/dev/null || die
	done
}
autoconf`,
		);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(`hello dest=misc src=${work}/withmake built=./ make=[modules]\n`);
		expect(result.stdout).toContain(`other dest=/updates/x src=${work}/kbuildonly built=./obj/ make=[]\n`);
	});

	it('MODULES_MAKEARGS carries the build-host flags Gentoo passes (HOSTCFLAGS, HOSTLDFLAGS, HOSTPKG_CONFIG)', async () => {
		const result = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nprintf '%s\\n' "\${MODULES_MAKEARGS[@]}"\necho "leaked=[\${BUILD_CFLAGS}]"`,
			{
				env: { CFLAGS: '-O2 -pipe', LDFLAGS: '-Wl,-O1' },
			},
		);
		expect(result.code, result.stderr).toBe(0);
		const args = result.stdout.split('\n');
		expect(args).toContain('HOSTCFLAGS=-O2 -pipe');
		expect(args).toContain('HOSTLDFLAGS=-Wl,-O1');
		expect(args).toContain('HOSTPKG_CONFIG=pkg-config');
		expect(args).toContain('DEPMOD=true');
		// computed in subshells: the ebuild's environment is left alone
		expect(result.stdout).toContain('leaked=[]\n');
	});

	it('nvidia-drivers style: get_version/require_configured_kernel/chkconfig before pkg_setup, KERNEL_CC after', async () => {
		// Debian's split headers: the build directory's Makefile includes the common source tree
		const source =
			/^include\s+(\/\S+)\/Makefile$/m.exec(readFileSync(join(headers.build, 'Makefile'), 'utf8'))?.[1] ?? '';
		expect(existsSync(join(source, 'Makefile'))).toBe(true);
		const script = `EAPI=8 CATEGORY=x11-drivers PN=nvidia-drivers PV=615.78.08 PF=nvidia-drivers-615.78.08 P=nvidia-drivers-615.78.08
MODULES_OPTIONAL_IUSE=+modules
inherit linux-mod-r1 toolchain-funcs
MODULES_KERNEL_MAX=7.2
pkg_setup() {
	use modules && [[ \${MERGE_TYPE} != binary ]] || return
	get_version
	require_configured_kernel
	local CONFIG_CHECK="
		PROC_FS
		~DRM_KMS_HELPER
		~!LOCKDEP
		!DEBUG_MUTEXES
		$(usev amd64 'X86_PAT')
	"
	kernel_is -ge 6 11 && linux_chkconfig_present DRM_FBDEV_EMULATION && CONFIG_CHECK+=" DRM_TTM_HELPER"
	linux-mod-r1_pkg_setup
}
src_compile() {
	: video:kernel-module-source:kernel-module-source/kernel-open
	local modlist=( nvidia{,-drm}=\${_} )
	local modargs=( SYSOUT="\${KV_OUT_DIR}" SYSSRC="\${KV_DIR}" $(usev amd64 ARCH=x86_64) )
	addpredict "\${KV_OUT_DIR}"
	use modules && linux-mod-r1_src_compile
	echo "compiled"
}
EBUILD_PHASE=setup pkg_setup
echo "KERNEL_CC=$KERNEL_CC KV_FULL=$KV_FULL"
EBUILD_PHASE=compile src_compile
pkg_postinst() { linux-mod-r1_pkg_postinst; }
pkg_postinst
echo "done"`;
		// the split headers as a user would point at them: sources plus KBUILD_OUTPUT
		const env = { KERNEL_DIR: source, KBUILD_OUTPUT: headers.build, EPREFIX: join(box.dir, 'root-nvidia') };
		const off = await box.run(script, { env: { ...env, USE: '' } });
		expect(off.code, off.stderr).toBe(0);
		expect(off.stdout).toContain('KERNEL_CC= KV_FULL=\n');
		expect(off.stdout).toContain('compiled\ndone\n');

		const on = await box.run(script.replace('use modules && linux-mod-r1_src_compile', ':'), {
			env: { ...env, USE: 'modules strip' },
		});
		expect(on.code, on.stderr).toBe(0);
		expect(on.stdout).toMatch(new RegExp(`KERNEL_CC=\\S*gcc\\S* KV_FULL=${headers.kv}\\n`));
		// "~" entries only warn; the ebuild's early linux-info view is reported when it differs from ours
		expect(on.texts('DIE')).toEqual([]);
		expect(on.texts('WARN').join('\n')).toContain('looked at kernel');
	});

	it('zfs-kmod style: kernel_is before pkg_setup, own make with MODULES_MAKEARGS, modules_post_process, initramfs via dist-kernel_reinstall_initramfs', async () => {
		const root = join(box.dir, 'root-zfs');
		// a distribution kernel as the dist-kernel flow finds it: /usr/src/linux-KV holding a configured build tree
		mkdirSync(join(root, 'usr', 'src'), { recursive: true });
		symlinkSync(headers.build, join(root, 'usr', 'src', `linux-${headers.kv}`));
		mkdirSync(join(root, 'lib', 'modules', headers.kv), { recursive: true });
		writeFileSync(join(root, 'lib', 'modules', headers.kv, 'vmlinuz'), 'kernel image');
		const work = join(box.dir, 'zfs-style');
		cpSync(MODULE_FIXTURE, work, { recursive: true });
		writeFileSync(
			join(work, 'Makefile'),
			'include config.mk\nall:\n\t$(MAKE) -C $(KDIR) M=$(CURDIR) modules\ninstall:\n\t$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra modules_install\n',
		);
		const D = join(box.dir, 'image-zfs');
		const virtualPv = headers.kv.replace(/-.*$/, '');
		const result = await box.run(
			`EAPI=8 CATEGORY=sys-fs PN=zfs-kmod PV=2.2.2 PF=zfs-kmod-2.2.2 P=zfs-kmod-2.2.2
inherit dist-kernel-utils linux-mod-r1 multiprocessing
MODULES_KERNEL_MAX=99.0
MODULES_KERNEL_MIN=3.10
IUSE="custom-cflags debug +rootfs"
pkg_setup() {
	local CONFIG_CHECK="ZLIB_DEFLATE !DEBUG_LOCK_ALLOC"
	use rootfs && CONFIG_CHECK+=" BLK_DEV_INITRD"
	kernel_is -lt 5 && CONFIG_CHECK+=" IOSCHED_NOOP"
	kernel_is -le 99 0 || die "too new"
	linux-mod-r1_pkg_setup
}
src_configure() {
	# what configure keeps of the eclass' make arguments
	local GENTOO_MAKEARGS_EVAL="\${MODULES_MAKEARGS[*]@Q}"
	eval "local -a back=( \${GENTOO_MAKEARGS_EVAL} )"
	[[ "\${back[*]}" == "\${MODULES_MAKEARGS[*]}" ]] || die "MODULES_MAKEARGS does not survive @Q"
	printf 'KDIR := %s\\n' "\${KV_OUT_DIR}" > config.mk || die
}
src_compile() { emake "\${MODULES_MAKEARGS[@]}"; }
src_install() {
	emake "\${MODULES_MAKEARGS[@]}" DESTDIR="\${ED}" install
	modules_post_process
}
pkg_postinst() {
	linux-mod-r1_pkg_postinst
	if [[ -z \${ROOT} ]] && use dist-kernel; then
		dist-kernel_reinstall_initramfs "\${KV_DIR}" "\${KV_FULL}"
	fi
}
EBUILD_PHASE=setup pkg_setup
cd ${q(work)} || die
EBUILD_PHASE=configure src_configure
EBUILD_PHASE=compile src_compile
EBUILD_PHASE=install src_install
cp -a "\${ED}/." "\${EROOT}/" || die
EBUILD_PHASE=postinst pkg_postinst`,
			{
				env: { D, EPREFIX: root, USE: 'strip rootfs dist-kernel', SHIM_INSTALLED: `virtual/dist-kernel-${virtualPv}` },
			},
		);
		expect(result.code, result.stderr.slice(-3000)).toBe(0);
		const ko = join(root, 'lib', 'modules', headers.kv, 'extra', 'hello.ko');
		expect(execFileSync('modinfo', ['-F', 'vermagic', ko], { encoding: 'utf8' }).split(' ')[0]).toBe(headers.kv);
		expect(readFileSync(join(root, 'lib', 'modules', headers.kv, 'modules.dep'), 'utf8')).toContain('extra/hello.ko:');
		expect(result.runtimeCalls).toEqual([['initramfs', headers.kv, '--package', 'sys-fs/zfs-kmod-2.2.2']]);
	});
});
