// A stand-in ::gentoo for real emerge runs: a profile, Gentoo's real eclasses (vendored: toolchain-funcs,
// linux-info… and Gentoo's own dist-kernel-utils / kernel-install / linux-mod-r1), gentoo-kernel-bin versions that
// install a real Debian kernel, virtual/dist-kernel as ::gentoo has it, module packages built with linux-mod-r1, and
// empty providers for what the eclasses depend on (Debian already has kmod, dracut, node).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DISTFILES_DIR, type KernelRelease, KV_LOCALVERSION } from './kernel-distfiles';
import { GENTOO_DIST_KERNEL_ECLASSES, GENTOO_ECLASSES } from './portage-tree';

export const GENTOO_REPO = '/var/db/repos/gentoo';
export const PROFILE = `${GENTOO_REPO}/profiles/default/linux/amd64/stand-in`;
export const MODULE_FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'module-src');

/** Module packages: the real hello.ko, and cheap initramfs ones (MODULES_INITRAMFS_IUSE=+initramfs). */
export const HELLO = { cp: 'dk-test/hello-kmod', module: 'hello' } as const;
export const INITRAMFS_MODULES = ['a', 'b', 'c'].map((x) => ({
	cp: `dk-test/initramfs-kmod-${x}`,
	module: `dkt_${x}`,
}));

const HEADER =
	'# Copyright 2026 dist-kernel authors\n# Distributed under the terms of the GNU General Public License v2\n';
const ARCHES = 'alpha amd64 arm arm64 hppa loong m68k mips ppc ppc64 riscv s390 sparc x86';

/** Empty packages standing for what the eclasses depend on: the real tools come from Debian underneath. */
const PROVIDERS: { cpv: string; iuse?: string; install?: string }[] = [
	{ cpv: 'sys-apps/kmod-33', iuse: '+lzma +tools' },
	{ cpv: 'sys-kernel/dracut-059' },
	{ cpv: 'net-libs/nodejs-20.19.0' },
	{ cpv: 'virtual/libelf-3' },
	{ cpv: 'virtual/linux-sources-3' },
	{ cpv: 'sys-kernel/linux-firmware-20251111' },
	// Gentoo's installkernel[systemd] is a wrapper that hands the kernel to systemd's kernel-install; without
	// the flag the admin keeps the classic script (here Debian's /usr/sbin/installkernel).
	{
		cpv: 'sys-kernel/installkernel-60',
		iuse: 'dracut systemd',
		install: [
			'\tif use systemd; then',
			'\t\texeinto /usr/sbin',
			'\t\tnewexe - installkernel <<-EOF',
			'\t\t\t#!/bin/sh',
			'\t\t\t# installkernel[systemd] stand-in: version image [map [dir]] -> kernel-install add',
			'\t\t\texec kernel-install add "\\$1" "\\$2"',
			'\t\tEOF',
			'\tfi',
		].join('\n'),
	},
];

/** Providers merged as (empty) packages. */
export const PROVIDER_PACKAGES = PROVIDERS.filter((p) => p.install).map((p) => p.cpv.replace(/-[0-9][^-]*$/, ''));

interface FileMap {
	[path: string]: string;
}

function providerEbuild(p: (typeof PROVIDERS)[number]): string {
	return `${HEADER}EAPI=8

DESCRIPTION="Stand-in: the tool comes from the Debian system underneath"
SLOT="0"
KEYWORDS="amd64"
IUSE="${p.iuse ?? ''}"
S=\${WORKDIR}
${p.install ? `\nsrc_install() {\n${p.install}\n}\n` : ''}`;
}

function kernelEbuild(release: KernelRelease): string {
	return `${HEADER}EAPI=8

# What sys-kernel/gentoo-kernel-bin does, with Debian's kernel ${release.abi} (${release.debianVersion}) as payload.
inherit kernel-install toolchain-funcs

DESCRIPTION="Stand-in gentoo-kernel-bin: Debian's kernel ${release.abi} as ${release.kv}"
SRC_URI="${release.distfile}"
S=\${WORKDIR}

LICENSE="GPL-2"
KEYWORDS="amd64"
IUSE="debug"
RESTRICT="mirror binchecks strip test"

PDEPEND="
	>=virtual/dist-kernel-\${PV}
"

KV_LOCALVERSION='${KV_LOCALVERSION}'
KV_FULL=\${PV}\${KV_LOCALVERSION}

src_install() {
	mv lib usr "\${ED}"/ || die
}
`;
}

function virtualEbuild(): string {
	return `${HEADER}EAPI=8

DESCRIPTION="Virtual to depend on any Distribution Kernel"
SLOT="0/\${PVR}"
KEYWORDS="amd64"

RDEPEND="
	|| (
		~sys-kernel/gentoo-kernel-\${PV}
		~sys-kernel/gentoo-kernel-bin-\${PV}
		~sys-kernel/vanilla-kernel-\${PV}
	)
"
`;
}

function moduleEbuild(module: string, initramfs: boolean): string {
	return `${HEADER}EAPI=8

${initramfs ? 'MODULES_INITRAMFS_IUSE=+initramfs\n' : ''}inherit linux-mod-r1

DESCRIPTION="Stand-in module package: ${module}.ko built against the kernel with linux-mod-r1"
S=\${WORKDIR}/src

LICENSE="GPL-2"
SLOT="0"
KEYWORDS="amd64"

src_unpack() {
	cp -r "\${FILESDIR}"/src "\${S}" || die
}

src_compile() {
	local modlist=( ${module} )
	local modargs=( KDIR="\${KV_OUT_DIR}" )
	linux-mod-r1_src_compile
}
`;
}

/** Module sources: the test fixture, renamed for the cheap modules. */
function moduleFiles(dir: string, module: string): FileMap {
	const files: FileMap = {};
	const c = readFileSync(join(MODULE_FIXTURE, 'hello.c'), 'utf8').replaceAll('hello', module);
	files[`${dir}/files/src/${module}.c`] = c;
	files[`${dir}/files/src/Kbuild`] = `obj-m := ${module}.o\n`;
	files[`${dir}/files/src/Makefile`] = readFileSync(join(MODULE_FIXTURE, 'Makefile'), 'utf8');
	return files;
}

async function fileHash(path: string, algorithm: string): Promise<string> {
	const hash = createHash(algorithm);
	for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/** Manifest DIST line (BLAKE2B + SHA512, Portage's defaults), cached beside the distfile. */
async function distLine(distfile: string): Promise<string> {
	const path = join(DISTFILES_DIR, distfile);
	const cache = `${path}.dist`;
	const size = statSync(path).size;
	if (existsSync(cache)) {
		const line = readFileSync(cache, 'utf8').trim();
		if (line.startsWith(`DIST ${distfile} ${size} `)) return line;
	}
	const [blake, sha] = await Promise.all([fileHash(path, 'blake2b512'), fileHash(path, 'sha512')]);
	const line = `DIST ${distfile} ${size} BLAKE2B ${blake} SHA512 ${sha}`;
	writeFileSync(cache, `${line}\n`);
	return line;
}

export interface StandInOptions {
	kernels: KernelRelease[];
}

/** Files of the stand-in ::gentoo (paths relative to the repository). */
export async function standInGentoo(options: StandInOptions): Promise<FileMap> {
	const files: FileMap = {};
	files['profiles/repo_name'] = 'gentoo\n';
	files['profiles/arch.list'] = `${ARCHES.replaceAll(' ', '\n')}\n`;
	files['profiles/categories'] = `${['dk-test', 'net-libs', 'sys-apps', 'sys-kernel', 'virtual'].join('\n')}\n`;
	files['metadata/layout.conf'] =
		'masters =\nthin-manifests = true\nsign-manifests = false\nsign-commits = false\nprofile-formats = portage-2\ncache-formats =\n';
	const profile = PROFILE.slice(GENTOO_REPO.length + 1);
	files[`${profile}/eapi`] = '5\n';
	files[`${profile}/make.defaults`] = [
		'ARCH="amd64"',
		'ACCEPT_KEYWORDS="amd64"',
		'CHOST="x86_64-pc-linux-gnu"',
		'CFLAGS="-O2 -pipe"',
		'CXXFLAGS="${CFLAGS}"',
		'ELIBC="glibc"',
		'KERNEL="linux"',
		'USE="amd64"',
		'USE_EXPAND="ELIBC KERNEL"',
		'USE_EXPAND_UNPREFIXED="ARCH"',
		'USE_EXPAND_IMPLICIT="ARCH ELIBC KERNEL"',
		`USE_EXPAND_VALUES_ARCH="${ARCHES}"`,
		'USE_EXPAND_VALUES_ELIBC="glibc"',
		'USE_EXPAND_VALUES_KERNEL="linux"',
		'IUSE_IMPLICIT="prefix prefix-guest prefix-stack"',
		'',
	].join('\n');
	for (const name of readdirSync(GENTOO_ECLASSES)) {
		if (name.endsWith('.eclass')) files[`eclass/${name}`] = readFileSync(join(GENTOO_ECLASSES, name), 'utf8');
	}
	for (const name of readdirSync(GENTOO_DIST_KERNEL_ECLASSES)) {
		if (name.endsWith('.eclass'))
			files[`eclass/${name}`] = readFileSync(join(GENTOO_DIST_KERNEL_ECLASSES, name), 'utf8');
	}
	// what needs no files and no USE flags of its own is package.provided; the rest are empty ebuilds
	files[`${profile}/package.provided`] = PROVIDERS.filter((p) => !p.install)
		.map((p) => `${p.cpv}\n`)
		.join('');
	for (const p of PROVIDERS.filter((p) => p.install)) {
		const [cat, pf] = p.cpv.split('/') as [string, string];
		const pn = pf.replace(/-[0-9][^-]*$/, '');
		files[`${cat}/${pn}/${pf}.ebuild`] = providerEbuild(p);
	}
	const manifest: string[] = [];
	for (const kernel of options.kernels) {
		files[`sys-kernel/gentoo-kernel-bin/gentoo-kernel-bin-${kernel.pv}.ebuild`] = kernelEbuild(kernel);
		files[`virtual/dist-kernel/dist-kernel-${kernel.pv}.ebuild`] = virtualEbuild();
		manifest.push(await distLine(kernel.distfile));
	}
	files['sys-kernel/gentoo-kernel-bin/Manifest'] = manifest.map((l) => `${l}\n`).join('');
	for (const { cp, module } of [HELLO, ...INITRAMFS_MODULES]) {
		const pn = cp.split('/')[1]!;
		files[`${cp}/${pn}-1.ebuild`] = moduleEbuild(module, module !== HELLO.module);
		Object.assign(files, moduleFiles(cp, module));
	}
	return files;
}

/** Write a file map under `dir`. */
export function writeFiles(dir: string, files: FileMap): void {
	for (const [path, content] of Object.entries(files)) {
		const full = join(dir, path);
		mkdirSync(dirname(full), { recursive: true });
		writeFileSync(full, content);
	}
}
