// What the fuzzer feeds: one target per parser entry point of src/parsers/, with valid seeds and the format's own
// tokens. Parsers are imported by path at run time so that a parser that does not exist yet is reported as
// absent instead of breaking the suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TOP } from '../lib/bundle';
import { cpioSeeds } from './cpio-seed';

type ParserModule = Record<string, unknown>;

export interface FuzzTarget {
	/** Row label in the table. */
	name: string;
	/** File under src/ that holds the entry point. */
	module: string;
	/** Export names tried in order: the first that is a function is used. */
	exports: string[];
	seeds: Buffer[];
	tokens: string[];
	/** Feeds one input to the parser; may check properties (throw a plain Error to report a violation). */
	call: (fn: (...args: unknown[]) => unknown, input: Buffer, mod: ParserModule) => unknown;
}

const text = (input: Buffer) => input.toString('utf8');
const seedTexts = (...items: string[]) => items.map((s) => Buffer.from(s));

/** Fields of a VDB entry travel in one buffer separated by 0x1f so that mutations can cross field borders. */
const VDB_SEPARATOR = '\x1f';

function vdbSeed(cpv: string, files: Record<string, string>): Buffer {
	return Buffer.from([cpv, ...Object.entries(files).flat()].join(VDB_SEPARATOR));
}

function vdbDecode(input: Buffer): { cpv: string; files: Record<string, string> } {
	const [cpv = '', ...rest] = text(input).split(VDB_SEPARATOR);
	const files: Record<string, string> = {};
	for (let i = 0; i + 1 < rest.length; i += 2) files[rest[i]!] = rest[i + 1]!;
	return { cpv, files };
}

function fileSeed(path: string, maxBytes = 1 << 20): Buffer[] {
	if (!existsSync(path)) return [];
	const data = readFileSync(path);
	return data.length <= maxBytes ? [data] : [];
}

const STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

function peSeeds(): Buffer[] {
	const stub = fileSeed(STUB);
	if (stub.length === 0) return [];
	const seeds = [stub[0]!, stub[0]!.subarray(0, 4096)];
	const dir = mkdtempSync(join(tmpdir(), 'dk-fuzz-pe-'));
	try {
		writeFileSync(join(dir, 'osrel'), 'NAME=Gentoo\nID=gentoo\n');
		writeFileSync(join(dir, 'cmdline'), ' root=/dev/sda1 quiet ');
		writeFileSync(join(dir, 'linux'), Buffer.alloc(300, 0x4c));
		const out = join(dir, 'uki.efi');
		const r = spawnSync('objcopy', [
			'--add-section',
			`.osrel=${join(dir, 'osrel')}`,
			'--change-section-vma',
			'.osrel=0x20000',
			'--add-section',
			`.cmdline=${join(dir, 'cmdline')}`,
			'--change-section-vma',
			'.cmdline=0x30000',
			'--add-section',
			`.linux=${join(dir, 'linux')}`,
			'--change-section-vma',
			'.linux=0x2000000',
			STUB,
			out,
		]);
		if (r.status === 0) seeds.push(readFileSync(out));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	return seeds;
}

export const FUZZ_TARGETS: FuzzTarget[] = [
	{
		name: 'PMS version (parse + compare)',
		module: 'parsers/pms-version.ts',
		exports: ['parsePmsVersion'],
		seeds: seedTexts(
			'6.1.11',
			'6.1.11-r1',
			'1.0_alpha1_beta2_pre3_rc4_p5-r99',
			'2.1a',
			'0.01',
			'9999',
			'6.12.0_rc7',
			'1.2.3.4.5.6.7',
		),
		tokens: ['_alpha', '_beta', '_pre', '_rc', '_p', '-r', '.', '0', 'a', 'z'],
		call: (parse, input, mod) => {
			const version = parse(text(input));
			const compare = mod['comparePmsVersions'];
			if (version !== undefined && typeof compare === 'function') {
				const other = parse('6.1.11-r1');
				const ab = compare(version, other) as number;
				const ba = compare(other, version) as number;
				if (ab !== -ba) throw new Error(`comparePmsVersions is not antisymmetric for \`${text(input)}\``);
				if (compare(version, version) !== 0)
					throw new Error(`comparePmsVersions(x, x) is not 0 for \`${text(input)}\``);
			}
			return version;
		},
	},
	{
		name: 'PMS version strings (compareVersionStrings)',
		module: 'parsers/pms-version.ts',
		exports: ['compareVersionStrings'],
		seeds: seedTexts('6.1.11 6.1.11-r1', '1.0_p1 1.0', '2a 2', '01 1'),
		tokens: ['_alpha', '_p', '-r', '.', ' '],
		call: (compare, input) => {
			const [a = '', b = ''] = text(input).split(' ');
			return compare(a, b);
		},
	},
	{
		name: 'dependency atoms (RDEPEND)',
		module: 'parsers/atom.ts',
		exports: ['parseDependAtoms'],
		seeds: seedTexts(
			'virtual/dist-kernel:0/6.1.11= >=sys-libs/glibc-2.36 || ( app-arch/zstd app-arch/xz-utils ) !!sys-apps/foo',
			'=sys-kernel/gentoo-kernel-6.1*:6.1/6.1.11-r1=[initramfs,-debug(+)]::gentoo',
			'dist-kernel? ( virtual/dist-kernel:= ) ~dev-lang/perl-5.38',
		),
		tokens: ['( ', ' )', '|| ', '? ', '[', ']', ':=', ':*', '::', '!', '!!', '>=', '<=', '~', '=', '*', '/'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'CPV (category/PF)',
		module: 'parsers/atom.ts',
		exports: ['parseCpv'],
		seeds: seedTexts('sys-kernel/gentoo-kernel-6.1.11-r1', 'sys-fs/zfs-kmod-2.2.2', 'dev-lang/perl-5.38.2-r3', 'a/b-1'),
		tokens: ['-r', '/', '-', '.', '_p'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'VDB entry (/var/db/pkg files)',
		module: 'parsers/vdb-entry.ts',
		exports: ['parseVdbEntry'],
		seeds: [
			vdbSeed('sys-fs/zfs-kmod-2.2.2-r1', {
				CATEGORY: 'sys-fs\n',
				PF: 'zfs-kmod-2.2.2-r1\n',
				SLOT: '0/6.1.11\n',
				USE: 'dist-kernel initramfs amd64\n',
				IUSE: '+dist-kernel -initramfs +strip\n',
				RDEPEND: 'virtual/dist-kernel:0/6.1.11= sys-apps/kmod[tools]\n',
				repository: 'gentoo\n',
				COUNTER: '12345\n',
				BUILD_TIME: '1700000000\n',
				INHERITED: 'linux-mod-r1 dist-kernel-utils\n',
			}),
			vdbSeed('sys-kernel/gentoo-kernel-6.1.11', { SLOT: '6.1.11\n', INHERITED: 'kernel-build kernel-install\n' }),
		],
		tokens: [
			'CATEGORY',
			'PF',
			'SLOT',
			'USE',
			'IUSE',
			'RDEPEND',
			'repository',
			'COUNTER',
			VDB_SEPARATOR,
			':=',
			'/',
			'-r',
		],
		call: (parse, input) => {
			const { cpv, files } = vdbDecode(input);
			return parse(cpv, files);
		},
	},
	{
		name: 'VDB CONTENTS',
		module: 'parsers/vdb-contents.ts',
		exports: ['parseContents'],
		seeds: seedTexts(
			'dir /lib/modules\ndir /lib/modules/6.1.11-gentoo-dist\nobj /lib/modules/6.1.11-gentoo-dist/extra/zfs.ko d41d8cd98f00b204e9800998ecf8427e 1700000000\nsym /usr/lib/libfoo.so -> libfoo.so.1 1700000000\n',
			'obj /usr/share/doc/a file with spaces.txt 0123456789abcdef0123456789abcdef 1\nfif /run/x\ndev /dev/null\n',
			'sym /a -> b (1, 2L, 3L, 4, 5, 6, 7L, 8, 1700000000, 10)\n',
		),
		tokens: ['obj ', 'dir ', 'sym ', 'dev ', 'fif ', ' -> ', ' 1700000000', ' d41d8cd98f00b204e9800998ecf8427e'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'Portage mtimedb (resume list)',
		module: 'parsers/mtimedb.ts',
		exports: ['parseMtimedb'],
		seeds: seedTexts(
			JSON.stringify({
				resume: {
					mergelist: [
						['ebuild', '/', 'sys-kernel/gentoo-kernel-6.1.11', 'merge'],
						['ebuild', '/', 'sys-fs/zfs-kmod-2.2.2', 'merge'],
					],
					favorites: ['@world'],
				},
				updates: {},
				version: '3.0.61',
			}),
			JSON.stringify({ resume_backup: { mergelist: [] } }),
			'',
		),
		tokens: ['{', '}', '[', ']', '"', ',', ':', 'null', 'true', '"mergelist"', '"resume"'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'dist-kernel.conf (key = value)',
		module: 'parsers/key-value-conf.ts',
		exports: ['parseKeyValueConf'],
		seeds: seedTexts(
			'# comment\nkernel-packages = sys-kernel/gentoo-kernel sys-kernel/gentoo-kernel-bin\nuki = "auto"\nkeep-kernels = 2\n',
			"install-backend='builtin'\n\n",
		),
		tokens: ['=', ' = ', '#', '"', "'", '\n', 'uki', 'keep-kernels'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'cpio (newc archive sequence)',
		module: 'parsers/cpio.ts',
		exports: ['parseCpioSequence'],
		seeds: cpioSeeds(),
		tokens: ['070701', '070702', '070707', 'TRAILER!!!', 'ffffffff', '00000000', '\0\0\0\0'],
		call: (parse, input, mod) => {
			const archive = parse(input) as { entries: { type: string; size: number; dataOffset: number }[] };
			const target = mod['cpioSymlinkTarget'];
			for (const entry of archive.entries) {
				if (entry.dataOffset + entry.size > input.length) throw new Error('entry data reaches past the buffer');
				if (entry.type === 'symlink' && typeof target === 'function') target(input, entry);
			}
			return archive;
		},
	},
	{
		name: 'cpio stream (chunk by chunk)',
		module: 'parsers/cpio-stream.ts',
		exports: ['createCpioStream'],
		seeds: cpioSeeds(),
		tokens: ['070701', '070702', '070707', 'TRAILER!!!', 'ffffffff', '00000000', '\0\0\0\0'],
		call: (create, input) => {
			const stream = create() as { push(chunk: Buffer): void; end(): unknown };
			// Chunk borders fall inside headers, names and data alike.
			const step = 1 + (input.length % 97);
			for (let at = 0; at < input.length; at += step) stream.push(input.subarray(at, at + step));
			return stream.end();
		},
	},
	{
		name: 'initramfs compression magic',
		module: 'parsers/initramfs-compression.ts',
		exports: ['detectCompression'],
		seeds: [
			Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]),
			Buffer.from([0x1f, 0x8b, 8]),
			Buffer.from('070701'),
			Buffer.alloc(0),
		],
		tokens: [],
		call: (detect, input) => detect(input, input.length > 0 ? input[0]! % Math.max(1, input.length) : 0),
	},
	{
		name: 'repos.conf',
		module: 'parsers/repos-conf.ts',
		exports: ['parseReposConf'],
		seeds: seedTexts(
			'[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\nsync-type = rsync\nsync-uri = rsync://rsync.gentoo.org/gentoo-portage\nauto-sync = yes\n',
			'[dist-kernel]\nlocation = /var/db/repos/dist-kernel\nmasters = gentoo\npriority = 100\n; comment\n# comment\n[gentoo]\neclass-overrides = dist-kernel\n',
			'[DEFAULT]\nbase = /var/db/repos\n\x1e[gentoo]\nlocation = %(base)s/gentoo\n  continued value\nsync-uri: rsync://x\n',
		),
		tokens: [
			'[',
			']',
			'=',
			' = ',
			'\n[gentoo]\n',
			'location',
			'eclass-overrides',
			';',
			'#',
			'%(',
			')s',
			'%%',
			'\x1e',
			'[DEFAULT]',
			':',
		],
		// Several files in a row (Portage reads every file of repos.conf/), separated by 0x1e in the input.
		call: (parse, input) =>
			parse(
				text(input)
					.split('\x1e')
					.map((chunk, i) => ({ path: `/etc/portage/repos.conf/${i}.conf`, text: chunk })),
			),
	},
	{
		name: 'ebuild file names',
		module: 'parsers/ebuild-filename.ts',
		exports: ['parseEbuildFilename'],
		seeds: seedTexts(
			'gentoo-kernel\x1fgentoo-kernel-6.1.11-r1.ebuild',
			'zfs-kmod\x1fzfs-kmod-9999.ebuild',
			'a\x1fa-1_p2.ebuild',
		),
		tokens: ['\x1f', '.ebuild', '-r', '-', '_rc', '.'],
		call: (parse, input) => {
			const [name = '', file = ''] = text(input).split('\x1f');
			return parse(file, name);
		},
	},
	{
		name: 'ebuild KEYWORDS (ebuild text, md5-cache)',
		module: 'parsers/ebuild-keywords.ts',
		exports: ['keywordsFromEbuild'],
		seeds: seedTexts(
			'# Copyright\nEAPI=8\nKEYWORDS="amd64 ~arm64 -x86"\nSLOT="${PV}"\n',
			"EAPI=8\nif [[ ${PV} != 9999 ]]; then\n\tKEYWORDS='~amd64'\nfi\n",
			'DEFINED_PHASES=compile\nKEYWORDS=amd64 ~arm64\nSLOT=0\n',
		),
		tokens: ['KEYWORDS=', '"', "'", '~', '-', '*', '\n', '\\\n', '$'],
		call: (fromEbuild, input, mod) => {
			const fromCache = mod['keywordsFromCacheEntry'];
			const merge = mod['mergeKeywords'];
			const a = fromEbuild(text(input)) as string[] | undefined;
			const b = typeof fromCache === 'function' ? (fromCache(text(input)) as string[] | undefined) : undefined;
			if (typeof merge === 'function') merge([a ?? [], b ?? []]);
			return a;
		},
	},
	{
		name: 'dracut conf values (bash declare -p)',
		module: 'parsers/bash-declare.ts',
		exports: ['parseDeclareOutput'],
		seeds: seedTexts(
			[
				'declare -- uefi="yes"',
				'declare -- hostonly="no"',
				'declare -- add_dracutmodules=" zfs  "',
				'declare -- kernel_cmdline="root=ZFS=rpool/root quiet \\"x\\" \\$HOME \\`y\\`"',
				'declare -a omit=([0]="a" [1]="b c")',
				'declare -A m=([x]=$\'t\\tz\' [k]="v w" )',
				"declare -- s=$'new\\nline'",
				'declare -x uefi_stub="/usr/lib/systemd/boot/efi/linuxx64.efi.stub"',
			].join('\n'),
			'declare -- layout="uki"\ndeclare -- initrd_generator="dracut"\ndeclare -- MACHINE_ID="0123456789abcdef0123456789abcdef"\n',
		),
		tokens: [
			'declare -- ',
			'declare -a ',
			'declare -A ',
			'="',
			'"',
			"$'",
			"'",
			'\\',
			'\\"',
			'([0]=',
			' )',
			'[',
			']=',
			'\n',
			'\\x41',
			'\\u263a',
			'\\0',
		],
		call: (parse, input, mod) => {
			const vars = parse(text(input)) as Map<string, unknown>;
			const scalar = mod['scalarOf'];
			if (typeof scalar === 'function') for (const value of vars.values()) scalar(value);
			return vars;
		},
	},
	{
		name: 'kernel-install install.conf',
		module: 'parsers/install-conf.ts',
		exports: ['interpretInstallConf'],
		seeds: seedTexts(
			'layout\x1fuki\x1finitrd_generator\x1fdracut\x1fBOOT_ROOT\x1f/efi\x1fMACHINE_ID\x1f0123456789abcdef0123456789abcdef',
			'layout\x1f  bls  ',
		),
		tokens: ['\x1f', 'layout', 'uki', 'bls', 'compat', 'efistub', 'grub', ' ', '/', '..', 'BOOT_ROOT', '/efi'],
		call: (interpret, input, mod) => {
			const parts = text(input).split('\x1f');
			const vars = new Map<string, string>();
			for (let i = 0; i + 1 < parts.length; i += 2) vars.set(parts[i]!, parts[i + 1]!);
			const machineId = mod['parseMachineId'];
			if (typeof machineId === 'function') machineId(text(input));
			// Entry tokens and vendor names become directory names: accepted ones must be one safe component.
			for (const name of ['parseEntryToken', 'parseVendorName']) {
				const parse = mod[name];
				if (typeof parse !== 'function') continue;
				let accepted: unknown;
				try {
					accepted = parse(text(input), 'fuzz');
				} catch (error) {
					if (!(error instanceof Error) || error.name !== 'DistKernelError') throw error;
					continue;
				}
				if (
					typeof accepted !== 'string' ||
					accepted.includes('/') ||
					accepted === '..' ||
					accepted === '.' ||
					accepted === ''
				)
					throw new Error(`${name} accepted \`${String(accepted)}\``);
			}
			return interpret(vars, { INSTALLKERNEL_LAYOUT: parts[1] });
		},
	},
	{
		name: 'os-release',
		module: 'parsers/os-release.ts',
		exports: ['parseOsRelease'],
		seeds: seedTexts(
			'NAME="Gentoo"\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\nVERSION_ID="2.17"\nHOME_URL="https://www.gentoo.org/"\n',
			'NAME=\'a \\\'b\'\n#x\nID="esc \\" \\$ \\\\"\n',
		),
		tokens: ['=', '"', "'", '\\', '#', '\n', '$'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: '/proc/mounts',
		module: 'parsers/proc-mounts.ts',
		exports: ['parseProcMounts'],
		seeds: seedTexts(
			'rpool/ROOT/gentoo / zfs rw,relatime,xattr,posixacl 0 0\nproc /proc proc rw,nosuid 0 0\n',
			'/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\n',
		),
		tokens: [' ', '\n', '\\040', '\\', ',', '#', '/'],
		call: (parse, input, mod) => {
			const entries = parse(text(input)) as Array<{ target: string; fstype: string }>;
			const at = (mod['mountAt'] as (e: unknown, t: string) => { target: string } | undefined)(entries, '/');
			if (at !== undefined && at.target !== '/') throw new Error(`mountAt returned a mount on ${at.target}`);
			return entries;
		},
	},
	{
		name: 'kernel command line (root=)',
		module: 'parsers/kernel-cmdline.ts',
		exports: ['splitCmdline'],
		seeds: seedTexts(
			'root=UUID=3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21 ro quiet dyndbg="file a.c +p"',
			'root=/dev/disk/by-label/my\\x20root rootflags=subvol=@ init=/usr/lib/systemd/systemd',
			'root=PARTUUID=0fc63daf-8483-4772-8e79-3d69d8477de4 resume=LABEL=swap',
		),
		tokens: ['root=', 'UUID=', 'LABEL=', 'PARTUUID=', '/dev/disk/by-uuid/', '\\x', '"', ' ', '='],
		call: (split, input, mod) => {
			const params = split(text(input)) as string[];
			const value = mod['cmdlineValue'];
			const spec = mod['parseRootSpec'];
			const without = mod['withoutParams'];
			if (typeof value === 'function' && typeof spec === 'function') spec(value(params, 'root'));
			if (typeof without === 'function') without(params, ['root', 'resume']);
			return params;
		},
	},
	{
		name: '/proc/self/mountinfo',
		module: 'parsers/mountinfo.ts',
		exports: ['parseMountinfo'],
		seeds: seedTexts(
			'22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n40 22 0:33 / /var/tmp rw master:3 - xfs /dev/vdb1 rw\n41 22 0:34 / /mnt/a\\040b rw - btrfs /dev/vdc rw\n',
		),
		tokens: [' - ', ' ', '\\040', '\n', '/', 'shared:1'],
		call: (parse, input, mod) => {
			const entries = parse(text(input)) as unknown[];
			const of = mod['mountOf'];
			if (typeof of === 'function') of(entries, '/var/tmp/x');
			const at = mod['mountAtPoint'];
			const ro = mod['isReadOnly'];
			if (typeof at === 'function' && typeof ro === 'function') {
				const boot = at(entries, '/boot') as { mountPoint: string } | undefined;
				if (boot !== undefined && boot.mountPoint !== '/boot')
					throw new Error(`mountAtPoint returned a mount on ${boot.mountPoint}`);
				for (const entry of entries) ro(entry);
			}
			return entries;
		},
	},
	{
		name: '/etc/fstab',
		module: 'parsers/fstab.ts',
		exports: ['parseFstab'],
		seeds: seedTexts(
			'# comment\nUUID=1234-ABCD /efi vfat umask=0077 0 2\n/dev/sda2 /boot/ ext4 defaults 0 2\n',
			'/dev/BOOT /boot ext2 noauto,noatime 1 2\nLABEL=a\\040b /mnt/a\\040b xfs rw\n',
		),
		tokens: [' ', '\t', '\n', '#', '\\040', '/', ','],
		call: (parse, input) => {
			const entries = parse(text(input)) as Array<{ target: string }>;
			for (const entry of entries)
				if (entry.target.length > 1 && entry.target.endsWith('/'))
					throw new Error(`mount point kept its trailing slash: ${entry.target}`);
			return entries;
		},
	},
	{
		name: 'octal escapes of the mount tables',
		module: 'parsers/octal-escape.ts',
		exports: ['unescapeOctal'],
		seeds: seedTexts('/mnt/a\\040b', 'tab\\011nl\\012bs\\134', '\\999\\0400'),
		tokens: ['\\', '\\040', '\\134', '0', '7', '8'],
		call: (unescapeOctal, input) => {
			const value = text(input);
			const out = unescapeOctal(value) as string;
			if (out.length > value.length) throw new Error('unescaping made the text longer');
			return out;
		},
	},
	{
		name: 'BLS type #1 entry',
		module: 'parsers/bls-entry.ts',
		exports: ['parseBlsEntry'],
		seeds: seedTexts(
			'title Gentoo\nversion 6.12.8\nlinux /gentoo/6.12.8/linux\ninitrd /gentoo/6.12.8/initrd\noptions root=UUID=ab rw\noptions quiet\n',
		),
		tokens: ['linux ', 'initrd ', 'options ', '#', '\n', '\t'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'PE sections (UKI)',
		module: 'parsers/pe-sections.ts',
		exports: ['readPeSections'],
		// The real systemd stub, its first 4 KiB (headers intact, section data cut off) and a small UKI made from it.
		seeds: peSeeds(),
		tokens: ['MZ', 'PE\0\0', '.linux\0\0', '.initrd\0', '.cmdline', '.osrel\0\0', '\xff\xff\xff\xff', '\0\0\0\0'],
		call: (read, input, mod) => {
			const sections = read(input) as unknown[];
			const data = mod['sectionData'];
			if (typeof data === 'function') for (const section of sections) data(input, section);
			const find = mod['findSection'];
			if (typeof find === 'function') find(input, '.linux');
			return sections;
		},
	},
	{
		name: 'binary package index (Packages)',
		module: 'parsers/binpkg-index.ts',
		exports: ['parseBinpkgIndex'],
		seeds: seedTexts(
			'ARCH: amd64\nVERSION: 0\n\nBUILD_TIME: 1\nCPV: sys-kernel/gentoo-kernel-bin-6.12.5\nSLOT: 6.12.5\nUSE: amd64 generic-uki\n\nCPV: virtual/dist-kernel-6.12.5\n',
		),
		tokens: ['CPV: ', ': ', '\n', '\n\n', '/', 'sys-kernel', '-6.1', '\0'],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'emerge.log merges',
		module: 'parsers/emerge-log.ts',
		exports: ['parseEmergeLog'],
		seeds: seedTexts(
			'1733212800:  === (1 of 2) Compiling/Merging (sys-kernel/gentoo-kernel-6.12.5::/var/db/repos/gentoo/sys-kernel/gentoo-kernel/gentoo-kernel-6.12.5.ebuild)\n' +
				'1733212900:  --- (2 of 2) Fetching Binary (sys-kernel/gentoo-kernel-bin-6.12.5::/var/cache/binpkgs/x.gpkg.tar)\n' +
				'1733212901:  === (2 of 2) Merging Binary (sys-kernel/gentoo-kernel-bin-6.12.5::/var/cache/binpkgs/x.gpkg.tar)\n',
		),
		tokens: ['===', '---', ' (1 of 2) ', 'Compiling/Merging', 'Merging Binary', 'Fetching Binary', '::', '\n', ':  '],
		call: (parse, input) => parse(text(input)),
	},
	{
		name: 'make.conf variable',
		module: 'parsers/make-conf-var.ts',
		exports: ['makeConfValue'],
		seeds: seedTexts(
			'PKGDIR="/var/cache/binpkgs"\nexport PORTAGE_BINHOST=\'https://example.org/binpkgs\' # x\nFEATURES="${FEATURES} getbinpkg"\n',
		),
		tokens: ['PKGDIR=', '"', "'", '$', '`', '\\', '#', '\n', 'export '],
		call: (value, input) => value([text(input)], 'PKGDIR'),
	},
	{
		name: 'compressed stream end (xz/zstd/lz4 framing)',
		module: 'parsers/compressed-stream-end.ts',
		exports: ['compressedStreamEnd'],
		seeds: compressedSeeds(),
		tokens: ['\x28\xb5\x2f\xfd', '\x04\x22\x4d\x18', '\xfd7zXZ\0', 'YZ', '\0\0\0\0', '\xff\xff\xff\xff'],
		call: (end, input) => {
			for (const kind of ['zstd', 'xz', 'lz4-frame', 'lz4-legacy'] as const) {
				const at = end(kind, input);
				if (at !== undefined && (typeof at !== 'number' || at < 0 || at > input.length))
					throw new Error(`compressedStreamEnd(${kind}) returned ${String(at)} for ${input.length} bytes`);
			}
			return undefined;
		},
	},
	{
		name: 'efivarfs boolean (SecureBoot, SetupMode)',
		module: 'parsers/efi-variable.ts',
		exports: ['efiBoolean'],
		seeds: [Buffer.from([6, 0, 0, 0, 1]), Buffer.from([7, 0, 0, 0, 0])],
		tokens: ['\x06\0\0\0', '\x01', '\0'],
		call: (read, input) => {
			const value = read(input);
			if (value !== true && value !== false && value !== undefined)
				throw new Error(`efiBoolean returned ${String(value)}`);
			return value;
		},
	},
	{
		name: 'sbverify --list signatures',
		module: 'parsers/sbverify-list.ts',
		exports: ['countSignatures'],
		seeds: seedTexts(
			'signature 1\nimage signature issuers:\n - /CN=a\nimage signature certificates:\n - subject: /CN=a\n   issuer:  /CN=a\nsignature 2\n',
		),
		tokens: ['signature ', '\n', ' - subject: ', '1'],
		call: (count, input) => {
			const n = count(text(input));
			if (typeof n !== 'number' || n < 0) throw new Error(`countSignatures returned ${String(n)}`);
			return n;
		},
	},
	{
		name: 'OVMF console (boot manager refusals)',
		module: 'parsers/ovmf-console.ts',
		exports: ['findFirmwareRefusal'],
		seeds: seedTexts(
			'BdsDxe: loading Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0)\r\nBdsDxe: failed to load Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0): Access Denied\r\nBdsDxe: failed to start Boot0002 "EFI Internal Shell" from Fv(7CB8BDC9)/FvFile(7C04A583): Security Violation\r\n',
		),
		tokens: ['BdsDxe: ', 'failed to load ', 'Boot0001 ', '"', 'Fv(', ': Access Denied', ': Security Violation', '\r\n'],
		call: (find, input, mod) => {
			const gaveUp = mod['firmwareGaveUp'];
			if (typeof gaveUp === 'function') gaveUp(text(input));
			return find(text(input));
		},
	},
	{
		name: 'OVMF variable store (enrolment)',
		module: 'parsers/ovmf-vars.ts',
		exports: ['parseVarStore'],
		seeds: ovmfVarsSeeds(),
		tokens: ['_FVH', '\xaa\x55', '\x3f', '\x27\0\0\0', '\xff\xff\xff\xff', '\0\0\0\0', 'Z\xfe'],
		call: (parse, input, mod) => {
			const store = parse(input) as { free: number; end: number };
			if (store.free > store.end || store.end > input.length)
				throw new Error(`store bounds ${store.free}/${store.end} outside ${input.length} bytes`);
			const add = mod['addVariables'];
			if (typeof add === 'function')
				add(input, [
					{ name: 'db', guid: 'd719b2cb-3d3a-4596-a3bc-dad00e67656f', attributes: 0x27, data: Buffer.alloc(16, 1) },
				]);
			return store;
		},
	},
];

/** Real xz, zstd and lz4 streams of a small text (the tools are CI dependencies), each with NUL padding after it. */
function compressedSeeds(): Buffer[] {
	const seeds: Buffer[] = [];
	const plain = Buffer.from('dist-kernel fuzz seed\n'.repeat(40));
	for (const [tool, args] of [
		['xz', ['--check=crc32', '-c']],
		['zstd', ['-q', '-c']],
		['lz4', ['-q', '-c']],
		['lz4', ['-q', '-l', '-c']],
	] as const) {
		const run = spawnSync(tool, [...args], { input: plain });
		if (run.status === 0 && run.stdout.length > 0)
			seeds.push(run.stdout, Buffer.concat([run.stdout, Buffer.alloc(512)]));
	}
	return seeds.length > 0 ? seeds : [plain];
}

export interface LoadedTarget {
	target: FuzzTarget;
	fn?: (...args: unknown[]) => unknown;
	mod?: ParserModule;
	/** Why it cannot run (file or export missing). */
	absent?: string;
}

export async function loadTarget(target: FuzzTarget): Promise<LoadedTarget> {
	const file = join(TOP, 'src', target.module);
	if (!existsSync(file)) return { target, absent: `src/${target.module} does not exist yet` };
	if (target.seeds.length === 0) return { target, absent: 'no seed input available' };
	const mod = (await import(pathToFileURL(file).href)) as ParserModule;
	for (const name of target.exports) {
		const fn = mod[name];
		if (typeof fn === 'function') return { target, fn: fn as (...args: unknown[]) => unknown, mod };
	}
	return { target, absent: `src/${target.module} exports none of ${target.exports.join(', ')}` };
}

/** A small authenticated variable store (FV header, store header, two records, erased space) built by the writer. */
function ovmfVarsSeeds(): Buffer[] {
	const guid = (text: string): Buffer => {
		const b = Buffer.from(text.replace(/-/g, ''), 'hex');
		return Buffer.concat([
			Buffer.from(b.subarray(0, 4)).reverse(),
			Buffer.from(b.subarray(4, 6)).reverse(),
			Buffer.from(b.subarray(6, 8)).reverse(),
			b.subarray(8),
		]);
	};
	const blank = Buffer.alloc(72 + 28 + 384, 0xff);
	blank.fill(0, 0, 100);
	guid('fff12b8d-7696-4c8b-a985-2747075b4f50').copy(blank, 16);
	blank.write('_FVH', 40, 'latin1');
	blank.writeUInt16LE(72, 48);
	guid('aaf32c78-947b-439a-a180-2e144ec37792').copy(blank, 72);
	blank.writeUInt32LE(28 + 384, 88);
	blank[92] = 0x5a;
	blank[93] = 0xfe;
	// One record by hand (StartId, VAR_ADDED, attributes, name "db", 4 bytes of data) so the seed does not depend on the writer.
	const name = Buffer.from('db\0', 'utf16le');
	const header = Buffer.alloc(60);
	header.writeUInt16LE(0x55aa, 0);
	header[2] = 0x3f;
	header.writeUInt32LE(0x27, 4);
	header.writeUInt32LE(name.length, 36);
	header.writeUInt32LE(4, 40);
	guid('d719b2cb-3d3a-4596-a3bc-dad00e67656f').copy(header, 44);
	const withRecord = Buffer.from(blank);
	Buffer.concat([header, name, Buffer.from([1, 2, 3, 4])]).copy(withRecord, 100);
	return [blank, withRecord];
}
