// Writes synthetic /var/db/pkg entries into a temp root, in the on-disk format Portage's vartree writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakePackage {
	/** category/PF */
	cpv: string;
	slot?: string;
	use?: string[];
	iuse?: string[];
	rdepend?: string;
	repository?: string;
	counter?: number;
	inherited?: string[];
	/** Files: `obj` entries for paths, `dir` entries for their parents, `sym` for `{path, target}`. */
	files?: string[];
	symlinks?: Array<{ path: string; target: string }>;
	/** Raw CONTENTS text instead of `files`. */
	rawContents?: string;
	/** Extra raw key files (e.g. a broken SLOT). */
	extra?: Record<string, string>;
}

export function contentsFor(
	files: readonly string[],
	symlinks: ReadonlyArray<{ path: string; target: string }> = [],
): string {
	const dirs = new Set<string>();
	for (const file of [...files, ...symlinks.map((s) => s.path)]) {
		const parts = file.split('/').slice(1, -1);
		for (let i = 1; i <= parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
	}
	const lines = [...dirs].sort().map((d) => `dir ${d}`);
	for (const file of files) lines.push(`obj ${file} d41d8cd98f00b204e9800998ecf8427e 1700000000`);
	for (const s of symlinks) lines.push(`sym ${s.path} -> ${s.target} 1700000000`);
	return lines.map((l) => `${l}\n`).join('');
}

export function writeVdbPackage(root: string, pkg: FakePackage): string {
	const [category, pf] = pkg.cpv.split('/') as [string, string];
	const dir = join(root, 'var', 'db', 'pkg', category, pf);
	mkdirSync(dir, { recursive: true });
	const put = (key: string, value: string) => writeFileSync(join(dir, key), `${value}\n`);
	put('CATEGORY', category);
	put('PF', pf);
	put('SLOT', pkg.slot ?? '0');
	put('USE', (pkg.use ?? []).join(' '));
	put('IUSE', (pkg.iuse ?? []).join(' '));
	put('RDEPEND', pkg.rdepend ?? '');
	put('repository', pkg.repository ?? 'gentoo');
	put('COUNTER', String(pkg.counter ?? 1));
	put('BUILD_TIME', '1700000000');
	put('EAPI', '8');
	put('INHERITED', (pkg.inherited ?? []).join(' '));
	writeFileSync(join(dir, 'CONTENTS'), pkg.rawContents ?? contentsFor(pkg.files ?? [], pkg.symlinks ?? []));
	writeFileSync(join(dir, 'environment.bz2'), Buffer.alloc(2048, 7));
	writeFileSync(join(dir, `${pf}.ebuild`), '# Copyright\nEAPI=8\n'.repeat(20));
	for (const [key, value] of Object.entries(pkg.extra ?? {})) writeFileSync(join(dir, key), value);
	return dir;
}

/** A gentoo-kernel package for PV (KV = PV-gentoo-dist) as kernel-build.eclass installs it, plus the virtual. */
export function writeKernel(
	root: string,
	pv: string,
	options: { key?: string; revision?: string; modulesDirOnDisk?: boolean } = {},
): string {
	const key = options.key ?? 'sys-kernel/gentoo-kernel';
	const kv = `${pv}-gentoo-dist`;
	writeVdbPackage(root, {
		cpv: `${key}-${pv}${options.revision ?? ''}`,
		slot: pv,
		use: ['initramfs', 'amd64'],
		iuse: ['+initramfs', 'debug', 'savedconfig'],
		rdepend: 'virtual/libelf sys-kernel/installkernel',
		files: [
			`/lib/modules/${kv}/vmlinuz`,
			`/lib/modules/${kv}/modules.builtin`,
			`/lib/modules/${kv}/kernel/fs/ext4/ext4.ko.xz`,
			`/usr/src/linux-${kv}/arch/x86/boot/bzImage`,
		],
		symlinks: [{ path: `/lib/modules/${kv}/build`, target: `../../../usr/src/linux-${kv}` }],
	});
	if (options.modulesDirOnDisk !== false) {
		mkdirSync(join(root, 'lib', 'modules', kv), { recursive: true });
		writeFileSync(join(root, 'lib', 'modules', kv, 'vmlinuz'), 'kernel');
	}
	return kv;
}

export function writeVirtual(root: string, pvr: string): void {
	writeVdbPackage(root, {
		cpv: `virtual/dist-kernel-${pvr}`,
		slot: `0/${pvr}`,
		rdepend: `|| ( ~sys-kernel/gentoo-kernel-${pvr.replace(/-r[0-9]+$/, '')} ~sys-kernel/gentoo-kernel-bin-${pvr.replace(/-r[0-9]+$/, '')} )`,
	});
}

/** A linux-mod-r1 module package built for `kv` (recorded sub-slot `virtualPvr` when dist-kernel is on). */
export function writeModulePackage(
	root: string,
	cpv: string,
	kv: string,
	options: {
		distKernel?: boolean;
		virtualPvr?: string;
		initramfs?: boolean;
		modules?: string[];
		counter?: number;
	} = {},
): void {
	const distKernel = options.distKernel ?? true;
	const use = ['amd64', 'strip'];
	if (distKernel) use.push('dist-kernel');
	if (options.initramfs) use.push('initramfs');
	const modules = options.modules ?? ['extra/demo.ko'];
	writeVdbPackage(root, {
		cpv,
		use,
		iuse: [
			'dist-kernel',
			'modules-compress',
			'modules-sign',
			'+strip',
			...(options.initramfs !== undefined ? ['+initramfs'] : []),
		],
		rdepend: `sys-apps/kmod[tools]${distKernel ? ` virtual/dist-kernel:0/${options.virtualPvr ?? kv.replace(/-gentoo-dist$/, '')}=` : ''}`,
		inherited: ['linux-info', 'linux-mod-r1', 'dist-kernel-utils'],
		files: [...modules.map((m) => `/lib/modules/${kv}/${m}`), `/usr/share/doc/${cpv.split('/')[1]}/README.gz`],
		...(options.counter !== undefined ? { counter: options.counter } : {}),
	});
}
