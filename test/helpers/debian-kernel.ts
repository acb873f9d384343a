// A real Debian kernel for tests: `apt-get download` + `dpkg -x` into a cache (once per machine), `depmod -b`.
// Tests hard-link it into their own temp roots with `linkKernelInto`; nothing touches the host's /boot or /lib/modules.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireLock } from '../../src/lib/lock';

export interface DebianKernel {
	/** Kernel release, e.g. 6.1.0-56-amd64. */
	kv: string;
	/** Extracted package root: boot/vmlinuz-KV, lib/modules/KV (with modules.dep). */
	dir: string;
	vmlinuz: string;
	modulesDir: string;
}

export const CACHE_DIR = resolve(
	process.env['DIST_KERNEL_TEST_CACHE'] ?? join(import.meta.dirname, '..', '..', '.cache'),
);

function sh(file: string, args: string[], cwd?: string): string {
	return execFileSync(file, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Hard links when the cache and the temp root share a filesystem, a copy otherwise. */
function linkOrCopy(from: string, to: string): void {
	try {
		sh('cp', ['-al', from, to]);
	} catch {
		rmSync(to, { recursive: true, force: true });
		sh('cp', ['-a', from, to]);
	}
}

/** linux-image-amd64's dependency names the current ABI, e.g. linux-image-6.1.0-56-amd64. */
function currentImagePackage(): string {
	const out = sh('apt-cache', ['depends', 'linux-image-amd64']);
	const match = /Depends: (linux-image-([0-9][^\s]*-amd64))\b/.exec(out);
	if (!match?.[1]) throw new Error(`cannot find the Debian kernel package from: ${out}`);
	return match[1];
}

export async function debianKernel(): Promise<DebianKernel> {
	mkdirSync(CACHE_DIR, { recursive: true });
	const lock = await acquireLock(join(CACHE_DIR, 'debian-kernel.lock'));
	try {
		const done = join(CACHE_DIR, 'debian-kernel.ready');
		if (!existsSync(done)) {
			const pkg = `${currentImagePackage()}-unsigned`;
			const work = join(CACHE_DIR, 'download');
			rmSync(work, { recursive: true, force: true });
			mkdirSync(work, { recursive: true });
			sh('apt-get', ['download', '-q', pkg], work);
			const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
			if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
			const staging = join(CACHE_DIR, 'kernel.tmp');
			rmSync(staging, { recursive: true, force: true });
			sh('dpkg', ['-x', join(work, deb), staging]);
			const kv = readdirSync(join(staging, 'lib', 'modules'))[0];
			if (!kv) throw new Error('the kernel package has no lib/modules');
			// The .deb ships no modules.dep (its postinst runs depmod).
			sh('depmod', ['-b', staging, kv]);
			rmSync(join(CACHE_DIR, 'kernel'), { recursive: true, force: true });
			renameSync(staging, join(CACHE_DIR, 'kernel'));
			rmSync(work, { recursive: true, force: true });
			writeFileSync(done, `${kv}\n`);
		}
		const dir = join(CACHE_DIR, 'kernel');
		const kv = readdirSync(join(dir, 'lib', 'modules'))[0]!;
		return { kv, dir, vmlinuz: join(dir, 'boot', `vmlinuz-${kv}`), modulesDir: join(dir, 'lib', 'modules', kv) };
	} finally {
		lock.release();
	}
}

/**
 * Place the kernel into `root` as a Gentoo kernel package would have merged it:
 * /lib/modules/KV (hard links) with /lib/modules/KV/vmlinuz, and /usr/src/linux-KV/arch/x86/boot/bzImage.
 */
export function linkKernelInto(kernel: DebianKernel, root: string, kv = kernel.kv): void {
	const modules = join(root, 'lib', 'modules', kv);
	mkdirSync(join(root, 'lib', 'modules'), { recursive: true });
	linkOrCopy(kernel.modulesDir, modules);
	rmSync(join(modules, 'vmlinuz'), { force: true });
	linkOrCopy(kernel.vmlinuz, join(modules, 'vmlinuz'));
	const src = join(root, 'usr', 'src', `linux-${kv}`, 'arch', 'x86', 'boot');
	mkdirSync(src, { recursive: true });
	linkOrCopy(kernel.vmlinuz, join(src, 'bzImage'));
	const config = join(kernel.dir, 'boot', `config-${kernel.kv}`);
	if (existsSync(config)) linkOrCopy(config, join(root, 'usr', 'src', `linux-${kv}`, '.config'));
	const systemMap = join(kernel.dir, 'boot', `System.map-${kernel.kv}`);
	if (existsSync(systemMap)) linkOrCopy(systemMap, join(root, 'usr', 'src', `linux-${kv}`, 'System.map'));
}
