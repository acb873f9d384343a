// A large synthetic /var/db/pkg (default 2,000 packages) shaped like a desktop Gentoo install: most packages own
// tens to hundreds of files, a few kernels and a dozen module packages built for various kernels.
import { writeKernel, writeModulePackage, writeVdbPackage, writeVirtual } from './vdb-builder';

const CATEGORIES = [
	'app-misc',
	'dev-libs',
	'dev-python',
	'media-libs',
	'net-misc',
	'sys-apps',
	'x11-libs',
	'kde-frameworks',
	'dev-perl',
	'app-text',
];

export interface GeneratedVdb {
	packages: number;
	kernels: string[];
	modulePackages: string[];
	staleExpected: string[];
}

export function generateVdb(root: string, total = 2000, seed = 7): GeneratedVdb {
	let state = seed;
	const rand = () => {
		state = (state * 1103515245 + 12345) & 0x7fffffff;
		return state / 0x7fffffff;
	};
	const kernels = ['6.1.60', '6.1.61', '6.6.8'].map((pv) => writeKernel(root, pv));
	writeVirtual(root, '6.6.8');
	const newest = kernels[2]!;
	const modulePackages: string[] = [];
	const staleExpected: string[] = [];
	for (let i = 0; i < 12; i++) {
		const cpv = `sys-kmod/module${i}-kmod-1.${i}`;
		const kv = kernels[i % 3]!;
		writeModulePackage(root, cpv, kv, {
			distKernel: i % 4 !== 0,
			initramfs: i % 5 === 0,
			virtualPvr: kv.replace(/-gentoo-dist$/, ''),
			modules: [`extra/m${i}.ko`, `extra/m${i}b.ko.zst`],
		});
		modulePackages.push(cpv);
		if (kv !== newest) staleExpected.push(cpv);
	}
	const rest = total - kernels.length - 1 - modulePackages.length;
	for (let i = 0; i < rest; i++) {
		const category = CATEGORIES[i % CATEGORIES.length]!;
		const name = `pkg${i}`;
		const files: string[] = [];
		const count = 20 + Math.floor(rand() * 300);
		for (let f = 0; f < count; f++)
			files.push(`/usr/${f % 3 === 0 ? 'lib64' : f % 3 === 1 ? 'share' : 'include'}/${name}/sub${f % 7}/file ${f}.dat`);
		if (i % 50 === 0) files.push(`/lib/modules-load.d/${name}.conf`);
		writeVdbPackage(root, {
			cpv: `${category}/${name}-${1 + (i % 9)}.${i % 13}.${i % 3}`,
			use: ['amd64', 'abi_x86_64', 'elibc_glibc', 'kernel_linux', 'ssl', 'X'],
			iuse: ['+ssl', 'test', 'doc', 'X'],
			rdepend:
				'dev-libs/openssl:0/3= sys-libs/zlib:= >=dev-libs/glib-2.76:2 || ( dev-lang/python:3.12 dev-lang/python:3.11 )',
			files,
		});
	}
	return { packages: total, kernels, modulePackages, staleExpected: staleExpected.sort() };
}

/**
 * The generated VDB in the test cache (.cache/vdb-<total>-v1), built once per machine and only read afterwards:
 * writing ~26,000 small files is the slow part on a loaded machine.
 */
export async function cachedGeneratedVdb(total = 2000): Promise<{ root: string } & GeneratedVdb> {
	const { CACHE_DIR } = await import('../helpers/debian-kernel');
	const { acquireLock } = await import('../../src/lib/lock');
	const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = await import('node:fs');
	const { join } = await import('node:path');
	const dir = join(CACHE_DIR, `vdb-${total}-v1`);
	mkdirSync(CACHE_DIR, { recursive: true });
	const lock = await acquireLock(`${dir}.lock`);
	try {
		const ready = join(dir, 'generated.json');
		if (!existsSync(ready)) {
			const staging = `${dir}.tmp`;
			rmSync(staging, { recursive: true, force: true });
			mkdirSync(staging, { recursive: true });
			const info = generateVdb(staging, total);
			writeFileSync(join(staging, 'generated.json'), JSON.stringify(info));
			rmSync(dir, { recursive: true, force: true });
			renameSync(staging, dir);
		}
		return { root: dir, ...(JSON.parse(readFileSync(ready, 'utf8')) as GeneratedVdb) };
	} finally {
		lock.release();
	}
}
