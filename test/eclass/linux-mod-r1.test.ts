// linux-mod-r1.eclass in real bash under the PMS shim: dependency strings, kernel discovery against Debian's
// real split headers, and real module builds (plain, signed, compressed) checked with modinfo.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianHeaders, MODULE_FIXTURE, makeSandbox, q, type Sandbox } from './harness';

let box: Sandbox;
const headers = debianHeaders();
beforeAll(() => {
	box = makeSandbox();
});
afterAll(() => box.cleanup());

/** Bash that prints the metadata the package manager would see (eclass values + ebuild values). */
const printDeps = `
for v in IUSE RDEPEND DEPEND BDEPEND IDEPEND; do
	e=E_$v
	printf '%s=%s\\n' "$v" "$(echo \${!e} \${!v})"
done`;

function deps(stdout: string): Record<string, string> {
	return Object.fromEntries(
		stdout
			.split('\n')
			.filter((line) => /^[A-Z]+=/.test(line))
			.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
	);
}

describe('dependency strings', () => {
	it("adds IUSE dist-kernel and virtual/dist-kernel:= under it, at run time only (as Gentoo's eclass)", async () => {
		const result = await box.run(`inherit linux-mod-r1\n${printDeps}`);
		expect(result.code).toBe(0);
		const d = deps(result.stdout);
		expect(d['IUSE']!.split(' ')).toEqual(['dist-kernel', 'modules-compress', 'modules-sign', '+strip']);
		expect(d['RDEPEND']).toBe('sys-apps/kmod[tools] dist-kernel? ( virtual/dist-kernel:= )');
		// in DEPEND it would pull a kernel into the build root of a --root or cross build
		expect(d['DEPEND']).toBe('virtual/linux-sources');
		expect(d['BDEPEND']).toBe('sys-apps/kmod[tools] modules-sign? ( dev-libs/openssl virtual/pkgconfig )');
		expect(d['IDEPEND']).toBe('sys-apps/kmod[tools]');
	});

	it('MODULES_INITRAMFS_IUSE adds the flag and, under it, the runtime as IDEPEND', async () => {
		const result = await box.run(`MODULES_INITRAMFS_IUSE=+initramfs\ninherit linux-mod-r1\n${printDeps}`);
		const d = deps(result.stdout);
		expect(d['IUSE']!.split(' ')).toContain('+initramfs');
		expect(d['IDEPEND']).toBe('sys-apps/kmod[tools] initramfs? ( sys-kernel/dist-kernel-runtime )');
		expect(d['RDEPEND']).toContain('dist-kernel? ( virtual/dist-kernel:= )');
	});

	it('MODULES_OPTIONAL_IUSE wraps every dependency in the flag', async () => {
		const result = await box.run(`MODULES_OPTIONAL_IUSE=+modules\ninherit linux-mod-r1\n${printDeps}`);
		const d = deps(result.stdout);
		expect(d['IUSE']!.split(' ')).toContain('+modules');
		expect(d['RDEPEND']).toBe('modules? ( sys-apps/kmod[tools] dist-kernel? ( virtual/dist-kernel:= ) )');
		expect(d['DEPEND']).toBe('modules? ( virtual/linux-sources )');
		expect(d['IDEPEND']).toBe('modules? ( sys-apps/kmod[tools] )');
	});

	it('keeps the ebuild’s own IUSE and RDEPEND apart, as Portage does', async () => {
		const result = await box.run(
			`IUSE="debug"\nRDEPEND="dev-libs/foo"\ninherit linux-mod-r1\necho "ebuild: $IUSE / $RDEPEND"`,
		);
		expect(result.stdout).toContain('ebuild: debug / dev-libs/foo');
	});

	it('provides linux-info (CONFIG_CHECK helpers) and exports the five phases', async () => {
		const result = await box.run(
			`inherit linux-mod-r1\necho "$INHERITED"\ndeclare -F pkg_setup src_compile src_install pkg_postinst pkg_postrm linux_chkconfig_present`,
		);
		expect(result.stdout).toContain('linux-info');
		expect(result.stdout).toContain('dist-kernel-utils');
		const declared = result.stdout
			.split('\n')
			.slice(1)
			.filter((l) => l.length > 0);
		expect(declared).toEqual([
			'pkg_setup',
			'src_compile',
			'src_install',
			'pkg_postinst',
			'pkg_postrm',
			'linux_chkconfig_present',
		]);
	});

	it('does nothing at all when MODULES_OPTIONAL_IUSE is disabled', async () => {
		const result = await box.run(
			`MODULES_OPTIONAL_IUSE=+modules\ninherit linux-mod-r1\nKERNEL_DIR=/nonexistent\npkg_setup && src_compile && echo no-op`,
		);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('no-op');
	});
});

describe('linux-mod-r1_pkg_setup (kernel discovery, Debian headers)', () => {
	const show =
		'echo "KV_FULL=$KV_FULL"; echo "KV_DIR=$KV_DIR"; echo "KV_OUT_DIR=$KV_OUT_DIR"; echo "KV=$KV_MAJOR.$KV_MINOR.$KV_PATCH $KV_EXTRA"';

	it('takes the release from the build directory, not the Makefile (KERNEL_DIR=/lib/modules/KV/build)', async () => {
		const result = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\n${show}\nprintf '%s\\n' "\${MODULES_MAKEARGS[@]}"`,
		);
		expect(result.code).toBe(0);
		const realBuild = execFileSync('readlink', ['-f', headers.build], { encoding: 'utf8' }).trim();
		expect(result.stdout).toContain(`KV_FULL=${headers.kv}\n`);
		expect(result.stdout).toContain(`KV_OUT_DIR=${realBuild}\n`);
		// Debian: the sources are the -common package the build dir's Makefile includes
		expect(result.stdout).toMatch(/KV_DIR=\/usr\/src\/linux-headers-.*-common\n/);
		const makefile = readFileSync(join(realBuild, 'Makefile'), 'utf8');
		const common = /^include (\S+)\/Makefile$/m.exec(makefile)![1]!;
		const top = readFileSync(join(common, 'Makefile'), 'utf8');
		const sub = /^SUBLEVEL = (\d+)/m.exec(top)![1];
		expect(result.stdout).toMatch(new RegExp(`KV=6\\.1\\.${sub} -`));
		// toolchain matching CONFIG_GCC_VERSION, and the eclass keeps strip/sign/compress/depmod for itself
		expect(result.stdout).toContain('CC=gcc-12\n');
		expect(result.stdout).toContain('ARCH=x86\n');
		expect(result.stdout).toContain('DEPMOD=true\n');
		expect(result.stdout).toContain('CONFIG_MODULE_SIG_ALL=\n');
	});

	it('finds the only /lib/modules/*/build when nothing else is there', async () => {
		const sysroot = join(box.dir, 'sysroot-fallback');
		mkdirSync(join(sysroot, 'lib', 'modules', headers.kv), { recursive: true });
		symlinkSync(headers.build, join(sysroot, 'lib', 'modules', headers.kv, 'build'));
		const result = await box.run(`inherit linux-mod-r1\nESYSROOT=${q(sysroot)}\nlinux-mod-r1_pkg_setup\n${show}`);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(`KV_FULL=${headers.kv}\n`);
	});

	it('prefers /usr/src/linux when it is a configured tree', async () => {
		const sysroot = join(box.dir, 'sysroot-usr-src');
		mkdirSync(join(sysroot, 'usr', 'src'), { recursive: true });
		symlinkSync(headers.build, join(sysroot, 'usr', 'src', 'linux'));
		const result = await box.run(`inherit linux-mod-r1\nESYSROOT=${q(sysroot)}\nlinux-mod-r1_pkg_setup\n${show}`);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(`KV_FULL=${headers.kv}\n`);
	});

	describe('a kernel built with make O=: sources only in /usr/src/linux (or KERNEL_DIR), KBUILD_OUTPUT unset', () => {
		/**
		 * A sysroot whose kernel sources (a Makefile naming VERSION.PATCHLEVEL.SUBLEVEL EXTRAVERSION, nothing built)
		 * are /usr/src/linux, the build output reached through /lib/modules/<release>/build, and a second configured
		 * build tree as decoy (so "the only /lib/modules/.../build" cannot be what finds it).
		 */
		function splitTree(
			name: string,
			extraversion: string,
			output: 'headers' | 'with-source-link',
		): { sysroot: string; sources: string; out: string } {
			const sysroot = join(box.dir, name);
			const sources = join(sysroot, 'usr', 'src', `linux-${name}`);
			mkdirSync(sources, { recursive: true });
			const [, v, p, s] = /^(\d+)\.(\d+)\.(\d+)/.exec(headers.kv)!;
			writeFileSync(
				join(sources, 'Makefile'),
				`# SPDX-License-Identifier: GPL-2.0\nVERSION = ${v}\nPATCHLEVEL = ${p}\nSUBLEVEL = ${s}\nEXTRAVERSION = ${extraversion}\nNAME = Test\n`,
			);
			symlinkSync(sources, join(sysroot, 'usr', 'src', 'linux'));
			let out = execFileSync('readlink', ['-f', headers.build], { encoding: 'utf8' }).trim();
			if (output === 'with-source-link') {
				// what make O= leaves in the output directory: a "source" link back to the sources
				out = join(sysroot, 'var', 'build', name);
				mkdirSync(join(out, 'include', 'config'), { recursive: true });
				cpSync(join(headers.build, '.config'), join(out, '.config'));
				writeFileSync(join(out, 'Module.symvers'), '');
				writeFileSync(join(out, 'include', 'config', 'kernel.release'), `${headers.kv}\n`);
				symlinkSync(sources, join(out, 'source'));
			}
			mkdirSync(join(sysroot, 'lib', 'modules', headers.kv), { recursive: true });
			symlinkSync(out, join(sysroot, 'lib', 'modules', headers.kv, 'build'));
			mkdirSync(join(sysroot, 'lib', 'modules', '9.9.9-decoy'), { recursive: true });
			symlinkSync(headers.build, join(sysroot, 'lib', 'modules', '9.9.9-decoy', 'build'));
			return { sysroot, sources, out };
		}

		it("finds the output as linux-info does: the Makefile's version names /lib/modules/<version>/build", async () => {
			// e.g. gentoo-sources: EXTRAVERSION=-gentoo, no local version, release = Makefile version
			const { sysroot, sources, out } = splitTree('o-linux-info', headers.kv.replace(/^\d+\.\d+\.\d+/, ''), 'headers');
			const result = await box.run(
				`inherit linux-mod-r1\nESYSROOT=${q(sysroot)}\nlinux-mod-r1_pkg_setup\n${show}\necho "KERNEL_DIR=$KERNEL_DIR"`,
			);
			expect(result.code, result.stderr).toBe(0);
			expect(result.stdout).toContain(`KV_FULL=${headers.kv}\n`);
			expect(result.stdout).toContain(`KV_OUT_DIR=${out}\n`);
			expect(result.stdout).toContain(`KV_DIR=${sources}\n`);
			expect(result.stdout).toContain(`KERNEL_DIR=${sources}\n`);
		});

		it('a local version (CONFIG_LOCALVERSION) makes the release longer: the build tree whose source link leads to these sources', async () => {
			const extra = /^\d+\.\d+\.\d+(-[^-]+)/.exec(headers.kv)![1]!;
			const { sysroot, sources, out } = splitTree('o-localversion', extra, 'with-source-link');
			for (const how of [`ESYSROOT=${q(sysroot)}`, `ESYSROOT=${q(sysroot)}\nKERNEL_DIR=${q(sources)}`]) {
				const result = await box.run(`inherit linux-mod-r1\n${how}\nlinux-mod-r1_pkg_setup\n${show}`);
				expect(result.code, `${how}\n${result.stderr}`).toBe(0);
				expect(result.stdout).toContain(`KV_FULL=${headers.kv}\n`);
				expect(result.stdout).toContain(`KV_OUT_DIR=${out}\n`);
				expect(result.stdout).toContain(`KV_DIR=${sources}\n`);
			}
		});

		it('sources whose version names no build tree: dies naming what it tried, as before', async () => {
			const { sysroot } = splitTree('o-none', '-nowhere', 'headers');
			const result = await box.run(`inherit linux-mod-r1\nESYSROOT=${q(sysroot)}\nlinux-mod-r1_pkg_setup`);
			expect(result.code).toBe(1);
			expect(result.texts('DIE')[0]).toBe('no kernel sources found to build modules for');
		});
	});

	it('with USE=dist-kernel, uses the kernel of the installed virtual/dist-kernel', async () => {
		const sysroot = join(box.dir, 'sysroot-dist');
		mkdirSync(join(sysroot, 'usr', 'src'), { recursive: true });
		symlinkSync(headers.build, join(sysroot, 'usr', 'src', `linux-${headers.kv}`));
		// a decoy /usr/src/linux that must not win
		symlinkSync('/nonexistent', join(sysroot, 'usr', 'src', 'linux'));
		const pv = /^(\d+\.\d+\.\d+)/.exec(headers.kv)![1]!;
		const result = await box.run(`inherit linux-mod-r1\nESYSROOT=${q(sysroot)}\nlinux-mod-r1_pkg_setup\n${show}`, {
			env: { USE: 'dist-kernel', SHIM_INSTALLED: `virtual/dist-kernel-${pv} sys-kernel/gentoo-kernel-${pv}` },
		});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(`KV_FULL=${headers.kv}\n`);
	});

	it('with USE=dist-kernel and no virtual installed, dies explaining it', async () => {
		const result = await box.run(`inherit linux-mod-r1\nlinux-mod-r1_pkg_setup`, { env: { USE: 'dist-kernel' } });
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('USE=dist-kernel needs an installed virtual/dist-kernel');
	});

	it('with USE=dist-kernel and the virtual’s kernel missing, names the version it looked for', async () => {
		const result = await box.run(
			`inherit linux-mod-r1\nESYSROOT=${q(join(box.dir, 'empty'))}\nlinux-mod-r1_pkg_setup`,
			{
				env: { USE: 'dist-kernel', SHIM_INSTALLED: 'virtual/dist-kernel-6.12.8-r1' },
			},
		);
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('kernel 6.12.8 of virtual/dist-kernel-6.12.8-r1 not found');
	});

	it('dies with a clear message when no kernel tree is found', async () => {
		const empty = join(box.dir, 'empty');
		mkdirSync(empty, { recursive: true });
		const result = await box.run(`inherit linux-mod-r1\nESYSROOT=${q(empty)}\nlinux-mod-r1_pkg_setup`);
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('no kernel sources found to build modules for');
		expect(result.texts('ERROR').join('\n')).toContain('set KERNEL_DIR');
	});

	it.each([
		['MODULES_KERNEL_MIN=7.0', 1, 'too old'],
		['MODULES_KERNEL_MIN=5.10', 0, ''],
		['MODULES_KERNEL_MIN=6.1.1', 0, ''],
	])('%s', async (setting, code, message) => {
		const result = await box.run(
			`inherit linux-mod-r1\n${setting}\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup`,
		);
		expect(result.code).toBe(code);
		if (message) expect(result.texts('DIE')[0]).toContain(message);
	});

	it.each([
		['MODULES_KERNEL_MAX=6.0', true],
		['MODULES_KERNEL_MAX=6.1', false],
		['MODULES_KERNEL_MAX=6.1.5', true],
		['MODULES_KERNEL_MAX=6', false],
	])('%s warns: %s', async (setting, warns) => {
		const result = await box.run(
			`inherit linux-mod-r1\n${setting}\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup`,
		);
		expect(result.code).toBe(0);
		expect(result.texts('WARN').some((line) => line.includes('*** WARNING ***'))).toBe(warns);
	});

	it('passes CONFIG_CHECK to linux-info (a missing option is fatal)', async () => {
		const result = await box.run(
			`inherit linux-mod-r1\nCONFIG_CHECK="NO_SUCH_OPTION_XYZ"\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup`,
		);
		expect(result.code).toBe(1);
		expect(result.texts('ERROR').join('\n')).toContain('CONFIG_NO_SUCH_OPTION_XYZ is required');
	});

	it('dies early when USE=modules-sign has no usable key', async () => {
		const result = await box.run(`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup`, {
			env: { USE: 'modules-sign' },
		});
		expect(result.code).toBe(1);
		// Debian's config names output/signing_key.pem, which the headers do not ship
		expect(result.texts('DIE')[0]).toMatch(
			/^USE=modules-sign is set but the private key .*signing_key\.pem was not found$/,
		);
	});

	it('other functions refuse to run before pkg_setup', async () => {
		const result = await box.run(`inherit linux-mod-r1\nlinux_moduleinto extra`);
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('linux_moduleinto was called without running linux-mod-r1_pkg_setup');
	});
});

/** One build of the fixture module: returns the image dir and messages. */
async function buildModule(options: {
	name: string;
	use?: string;
	kernelDir?: string;
	pre?: string;
	withoutMakefile?: boolean;
	/** Replace Kbuild + Makefile by one classic Makefile whose default goal builds. */
	defaultGoalMakefile?: boolean;
	modlist?: string;
}) {
	const work = join(box.dir, `work-${options.name}`);
	cpSync(MODULE_FIXTURE, work, { recursive: true });
	if (options.withoutMakefile) rmSync(join(work, 'Makefile'));
	if (options.defaultGoalMakefile) {
		rmSync(join(work, 'Kbuild'));
		writeFileSync(
			join(work, 'Makefile'),
			'ifneq ($(KERNELRELEASE),)\nobj-m := hello.o\nelse\nbuild:\n\t$(MAKE) -C $(KDIR) M=$(CURDIR) modules\nendif\n',
		);
	}
	const image = join(box.dir, `image-${options.name}`);
	const script = `
inherit linux-mod-r1
${options.pre ?? ''}
KERNEL_DIR=${q(options.kernelDir ?? headers.build)}
EBUILD_PHASE=setup linux-mod-r1_pkg_setup
cd ${q(work)} || die
build() {
	local modlist=( ${options.modlist ?? 'hello'} )
	local modargs=( KDIR="\${KV_OUT_DIR}" )
	linux-mod-r1_src_compile
}
EBUILD_PHASE=compile build
EBUILD_PHASE=install
linux-mod-r1_src_install
`;
	const result = await box.run(script, { env: { D: image, USE: options.use ?? 'strip', EPREFIX: '' } });
	return { result, image, work };
}

function modinfo(file: string, field: string): string {
	return execFileSync('modinfo', ['-F', field, file], { encoding: 'utf8' }).trim();
}

describe('real module build against Debian headers', () => {
	let plain: Awaited<ReturnType<typeof buildModule>>;
	beforeAll(async () => {
		plain = await buildModule({ name: 'plain' });
	});

	it('builds through the package Makefile and installs /lib/modules/KV/extra/hello.ko', () => {
		expect(plain.result.code, plain.result.stderr.slice(-3000)).toBe(0);
		const ko = join(plain.image, 'lib', 'modules', headers.kv, 'extra', 'hello.ko');
		expect(existsSync(ko)).toBe(true);
		expect(modinfo(ko, 'vermagic').split(' ')[0]).toBe(headers.kv);
		expect(modinfo(ko, 'description')).toBe('dist-kernel eclass test module');
		// the package Makefile's `modules` target was guessed and used
		expect(plain.result.stdout).toContain(`M=${plain.work} modules`);
	});

	it('strips the module (USE=strip) and tells the package manager not to', () => {
		const ko = join(plain.image, 'lib', 'modules', headers.kv, 'extra', 'hello.ko');
		const sections = execFileSync('readelf', ['-S', ko], { encoding: 'utf8' });
		expect(sections).not.toContain('.debug_info');
		expect(readFileSync(join(box.T, 'shim-dostrip.log'), 'utf8')).toContain(
			`/lib/modules/${headers.kv}/extra/hello.ko`,
		);
		expect(plain.result.texts('INFO')).toContain('Stripping modules ...');
	});

	it('tells dracut to omit the module unless the MODULES_INITRAMFS_IUSE flag is on', async () => {
		const conf = readFileSync(join(plain.image, 'usr', 'lib', 'dracut', 'dracut.conf.d', '10-test-pkg.conf'), 'utf8');
		expect(conf).toBe('omit_drivers+=" hello "\n');
		const image = join(box.dir, 'image-dracut-add');
		const result = await box.run(
			`MODULES_INITRAMFS_IUSE=+initramfs\ninherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nlinux_domodule ${q(join(plain.work, 'hello.ko'))}\nEBUILD_PHASE=install modules_post_process`,
			{ env: { D: image, USE: 'initramfs', EPREFIX: '' } },
		);
		expect(result.code, result.stderr).toBe(0);
		expect(readFileSync(join(image, 'usr', 'lib', 'dracut', 'dracut.conf.d', '10-test-pkg.conf'), 'utf8')).toBe(
			'add_drivers+=" hello "\n',
		);
	});

	it("modules_process_dracut.conf.d writes the same snippet for modules built later (Gentoo's dkms.eclass, USE=dkms)", async () => {
		const image = join(box.dir, 'image-dracut-dkms');
		const result = await box.run(
			`MODULES_INITRAMFS_IUSE=+initramfs\ninherit linux-mod-r1\nmodules_process_dracut.conf.d zfs spl`,
			{
				env: { D: image, USE: 'initramfs', EPREFIX: '' },
			},
		);
		expect(result.code, result.stderr).toBe(0);
		expect(readFileSync(join(image, 'usr', 'lib', 'dracut', 'dracut.conf.d', '10-test-pkg.conf'), 'utf8')).toBe(
			'add_drivers+=" zfs spl "\n',
		);
	});

	it('leaves the module uncompressed: Debian’s kernel is CONFIG_MODULE_COMPRESS_NONE', async () => {
		const files = readdirSync(join(plain.image, 'lib', 'modules', headers.kv, 'extra'));
		expect(files).toEqual(['hello.ko']);
	});

	it('builds through the kernel build system when there is only a Kbuild file, into a subdirectory', async () => {
		const kbuild = await buildModule({ name: 'kbuild', withoutMakefile: true, modlist: 'hello=kernel/drivers/misc' });
		expect(kbuild.result.code, kbuild.result.stderr.slice(-3000)).toBe(0);
		expect(kbuild.result.texts('INFO').join('\n')).toContain('through the kernel build system');
		const ko = join(kbuild.image, 'lib', 'modules', headers.kv, 'kernel', 'drivers', 'misc', 'hello.ko');
		expect(modinfo(ko, 'vermagic').split(' ')[0]).toBe(headers.kv);
	});

	it('falls back to the Makefile’s default goal when it has none of the usual targets', async () => {
		const goal = await buildModule({ name: 'default-goal', defaultGoalMakefile: true });
		expect(goal.result.code, goal.result.stderr.slice(-3000)).toBe(0);
		expect(goal.result.stdout).toContain(`M=${goal.work} modules`);
		const ko = join(goal.image, 'lib', 'modules', headers.kv, 'extra', 'hello.ko');
		expect(modinfo(ko, 'vermagic').split(' ')[0]).toBe(headers.kv);
	});

	it('signs with MODULES_SIGN_KEY/CERT and the kernel’s CONFIG_MODULE_SIG_HASH using the headers’ scripts/sign-file', async () => {
		// Debian's headers ship scripts/sign-file (from linux-kbuild); check, so a change there is noticed
		expect(existsSync(join(headers.build, 'scripts', 'sign-file'))).toBe(true);
		const keyDir = join(box.dir, 'keys');
		mkdirSync(keyDir, { recursive: true });
		execFileSync(
			'openssl',
			[
				'req',
				'-new',
				'-nodes',
				'-utf8',
				'-sha256',
				'-days',
				'2',
				'-batch',
				'-x509',
				'-subj',
				'/CN=dist-kernel eclass test key',
				'-newkey',
				'rsa:2048',
				'-keyout',
				join(keyDir, 'key.pem'),
				'-out',
				join(keyDir, 'cert.pem'),
			],
			{ stdio: 'ignore' },
		);
		const signed = await buildModule({
			name: 'signed',
			use: 'strip modules-sign',
			pre: `MODULES_SIGN_KEY=${q(join(keyDir, 'key.pem'))}\nMODULES_SIGN_CERT=${q(join(keyDir, 'cert.pem'))}\nKBUILD_SIGN_PIN=secret`,
		});
		expect(signed.result.code, signed.result.stderr.slice(-3000)).toBe(0);
		const ko = join(signed.image, 'lib', 'modules', headers.kv, 'extra', 'hello.ko');
		expect(modinfo(ko, 'signer')).toBe('dist-kernel eclass test key');
		expect(modinfo(ko, 'sig_hashalgo')).toBe('sha256');
		expect(readFileSync(ko).subarray(-28).toString('latin1')).toContain('~Module signature appended~');
		expect(signed.result.texts('INFO')).toContain('Signing modules (sha256) ...');
	});

	it('compresses per the kernel’s CONFIG_MODULE_COMPRESS_ZSTD with USE=modules-compress', async () => {
		// a read-only view of the Debian build dir whose .config says ZSTD (nothing is written to the headers)
		const shadow = join(box.dir, 'shadow-build');
		mkdirSync(shadow);
		const realBuild = execFileSync('readlink', ['-f', headers.build], { encoding: 'utf8' }).trim();
		for (const entry of readdirSync(realBuild)) {
			if (entry !== '.config') symlinkSync(join(realBuild, entry), join(shadow, entry));
		}
		const config = readFileSync(join(realBuild, '.config'), 'utf8')
			.replace('CONFIG_MODULE_COMPRESS_NONE=y', '# CONFIG_MODULE_COMPRESS_NONE is not set')
			.replace('# CONFIG_MODULE_COMPRESS_ZSTD is not set', 'CONFIG_MODULE_COMPRESS_ZSTD=y');
		writeFileSync(join(shadow, '.config'), config);
		const compressed = await buildModule({ name: 'zstd', use: 'strip modules-compress', kernelDir: shadow });
		expect(compressed.result.code, compressed.result.stderr.slice(-3000)).toBe(0);
		const dir = join(compressed.image, 'lib', 'modules', headers.kv, 'extra');
		expect(readdirSync(dir)).toEqual(['hello.ko.zst']);
		const raw = execFileSync('zstd', ['-dc', join(dir, 'hello.ko.zst')]);
		const unpacked = join(box.dir, 'unpacked.ko');
		writeFileSync(unpacked, raw);
		expect(modinfo(unpacked, 'vermagic').split(' ')[0]).toBe(headers.kv);
	});

	it('linux_moduleinto + linux_domodule install an extra copy where asked', async () => {
		const ko = join(plain.work, 'hello.ko');
		const image = join(box.dir, 'image-domodule');
		const result = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nlinux_moduleinto kernel/fs/hello\nlinux_domodule ${q(ko)}\nEBUILD_PHASE=install modules_post_process`,
			{ env: { D: image, USE: 'strip', EPREFIX: '' } },
		);
		expect(result.code).toBe(0);
		expect(existsSync(join(image, 'lib', 'modules', headers.kv, 'kernel', 'fs', 'hello', 'hello.ko'))).toBe(true);
	});

	it('modules_post_process dies outside src_install, and when there is no module', async () => {
		const wrongPhase = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nEBUILD_PHASE=compile modules_post_process`,
		);
		expect(wrongPhase.texts('DIE')[0]).toBe('modules_post_process can only be called in the src_install phase');
		const none = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nEBUILD_PHASE=install modules_post_process`,
			{
				env: { D: join(box.dir, 'image-empty') },
			},
		);
		expect(none.texts('DIE')[0]).toMatch(/^modules_post_process was called with no installed modules under /);
	});

	it('dies when a module was built for another kernel (vermagic check)', async () => {
		const image = join(box.dir, 'image-mismatch');
		const result = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nKV_FULL=9.9.9-other\nlinux_domodule ${q(join(plain.work, 'hello.ko'))}\nEBUILD_PHASE=install modules_post_process`,
			{ env: { D: image, USE: '', EPREFIX: '' } },
		);
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('module and kernel version mismatch in hello.ko');
	});

	it('src_compile dies without a modlist, and on a malformed entry', async () => {
		const none = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nlinux-mod-r1_src_compile`,
		);
		expect(none.texts('DIE')[0]).toBe("linux-mod-r1_src_compile was called without a 'modlist' array");
		const bad = await box.run(
			`inherit linux-mod-r1\nKERNEL_DIR=${q(headers.build)}\nlinux-mod-r1_pkg_setup\nmodlist=( "x=a:b:c:d:e" )\nlinux-mod-r1_src_compile`,
		);
		expect(bad.texts('DIE')[0]).toBe("linux-mod-r1_src_compile: too many ':' in the modlist entry of x");
	});

	describe('linux-mod-r1_pkg_postinst', () => {
		/** A merged module in a temp root (EPREFIX), ready for depmod. */
		function mergedRoot(name: string): string {
			const root = join(box.dir, `merged-${name}`);
			const dest = join(root, 'lib', 'modules', headers.kv, 'extra');
			mkdirSync(dest, { recursive: true });
			cpSync(join(plain.image, 'lib', 'modules', headers.kv, 'extra', 'hello.ko'), join(dest, 'hello.ko'));
			// the kernel image as a kernel package merges it, so the initramfs can be rebuilt
			writeFileSync(join(root, 'lib', 'modules', headers.kv, 'vmlinuz'), 'kernel image stand-in');
			return root;
		}
		const postinst = (extra = '') => `MODULES_INITRAMFS_IUSE=+initramfs
inherit linux-mod-r1
KERNEL_DIR=${q(headers.build)}
linux-mod-r1_pkg_setup
${extra}
_MODULES_GLOBAL[ran:post_process]=1
EBUILD_PHASE=postinst linux-mod-r1_pkg_postinst`;

		it('runs depmod for the module’s kernel under EROOT, then rebuilds its initramfs through the runtime', async () => {
			const root = mergedRoot('initramfs');
			const result = await box.run(postinst(), {
				env: { EPREFIX: root, USE: 'dist-kernel initramfs', SHIM_INSTALLED: 'virtual/dist-kernel-6.1.0' },
			});
			expect(result.code, result.stderr).toBe(0);
			const dep = readFileSync(join(root, 'lib', 'modules', headers.kv, 'modules.dep'), 'utf8');
			expect(dep).toContain('extra/hello.ko:');
			// Debian's build dir has no System.map: depmod runs without symbol checking
			expect(result.texts('BEGIN')).toContain(`Updating module dependencies for kernel ${headers.kv}`);
			expect(result.runtimeCalls).toEqual([['initramfs', headers.kv, '--package', 'sys-kernel/test-pkg-1.0']]);
			expect(result.texts('WARN')).toContain('fake runtime warning for initramfs');
		});

		it('does no initramfs work when ROOT is not empty (depmod still runs)', async () => {
			const root = mergedRoot('rooted');
			const result = await box.run(postinst(), {
				env: { ROOT: root, EPREFIX: '', USE: 'dist-kernel initramfs', SHIM_INSTALLED: 'virtual/dist-kernel-6.1.0' },
			});
			expect(result.code, result.stderr).toBe(0);
			expect(result.runtimeCalls).toEqual([]);
			expect(existsSync(join(root, 'lib', 'modules', headers.kv, 'modules.dep'))).toBe(true);
		});

		it('does no initramfs work without the flag, and advises USE=dist-kernel when the virtual is installed', async () => {
			const root = mergedRoot('noflag');
			const result = await box.run(postinst(), {
				env: { EPREFIX: root, USE: 'initramfs', SHIM_INSTALLED: 'virtual/dist-kernel-6.1.0' },
			});
			expect(result.code).toBe(0);
			expect(result.runtimeCalls).toEqual([]);
			expect(result.texts('WARN').join('\n')).toContain('USE=dist-kernel is not enabled');
		});

		it('warns (QA) when modules_post_process never ran', async () => {
			const root = mergedRoot('qa');
			const result = await box.run(
				postinst('unset "_MODULES_GLOBAL[ran:post_process]"').replace('_MODULES_GLOBAL[ran:post_process]=1', ''),
				{
					env: { EPREFIX: root },
				},
			);
			expect(result.texts('QA')).toContain(
				'QA Notice: neither linux-mod-r1_src_install nor modules_post_process were used',
			);
		});

		it('removes a stale differently-compressed copy before depmod', async () => {
			const root = mergedRoot('stale');
			const dir = join(root, 'lib', 'modules', headers.kv, 'extra');
			writeFileSync(join(dir, 'hello.ko.xz'), 'stale');
			execFileSync('touch', ['-d', '2001-01-01', join(dir, 'hello.ko.xz')]);
			const result = await box.run(postinst(), { env: { EPREFIX: root } });
			expect(result.code).toBe(0);
			expect(readdirSync(dir)).toEqual(['hello.ko']);
		});
	});

	describe('linux-mod-r1_pkg_postrm', () => {
		const postrm =
			'MODULES_INITRAMFS_IUSE=+initramfs\ninherit linux-mod-r1\nEBUILD_PHASE=postrm linux-mod-r1_pkg_postrm';

		it('asks the runtime to rebuild the images holding the removed package’s modules', async () => {
			const result = await box.run(postrm, { env: { USE: 'dist-kernel initramfs' } });
			expect(result.code, result.stderr).toBe(0);
			expect(result.runtimeCalls).toEqual([['modules', 'removed', 'sys-kernel/test-pkg-1.0']]);
		});

		it('does nothing when a new version replaces it, when ROOT is set, or without USE="dist-kernel initramfs"', async () => {
			const envs: Record<string, string>[] = [
				{ USE: 'dist-kernel initramfs', REPLACED_BY_VERSION: '1.1' },
				{ USE: 'dist-kernel initramfs', ROOT: box.dir },
				{ USE: 'initramfs' },
				{ USE: 'dist-kernel' },
			];
			for (const env of envs) {
				const result = await box.run(postrm, { env });
				expect(result.code, result.stderr).toBe(0);
				expect(result.runtimeCalls, JSON.stringify(env)).toEqual([]);
			}
		});
	});
});
