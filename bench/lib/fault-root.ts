// Target roots for the fault suite and the dracut-count benchmark: a real Debian kernel linked in as a Gentoo
// kernel package would have merged it, and a dracut configuration that keeps dracut real but small and
// deterministic: no host-only detection, only the `base` module, no kernel modules (`no_kernel`), no compression,
// `reproducible` output. A run then takes ~3 s here instead of ~18 s and two runs produce the same image.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DebianKernel, debianKernel, linkKernelInto } from '../../test/helpers/debian-kernel';
import { installPlugins } from '../../test/runtime/kernel-root';
import { runChecked } from './run-process';

/** Where addKernelInstall() puts the runtime launcher our plugin execs (DIST_KERNEL_RUNTIME), relative to the root. */
export const FAULT_RUNTIME = '/fault-bin/dist-kernel';

export const SMALL_DRACUT_CONF = [
	'hostonly="no"',
	'dracutmodules=" base "',
	'no_kernel="yes"',
	'compress="cat"',
	'do_strip="no"',
	'early_microcode="no"',
	'reproducible="yes"',
].join('\n');

export interface FaultRootOptions {
	/** Kernel versions to link in (the Debian kernel under each name). Default: the Debian kernel's own. */
	kvs?: string[];
	/** dist-kernel.conf lines. Default: the built-in backend. */
	config?: string[];
	/** Extra dracut configuration lines (e.g. uefi="yes"). */
	dracut?: string[];
	/**
	 * 'full': the whole module tree (~4,000 files). 'metadata' (default): vmlinuz and the modules.* files only —
	 * dracut with no_kernel reads no module, and copies of the root (one per fault run) stay cheap.
	 */
	modules?: 'full' | 'metadata';
}

export interface FaultRoot {
	root: string;
	kernel: DebianKernel;
	kvs: string[];
}

export function putFile(root: string, path: string, content: string, mode = 0o644): void {
	const full = join(root, path);
	mkdirSync(dirname(full), { recursive: true });
	writeFileSync(full, content, { mode });
}

/** Populates `root` (created if needed). */
export async function populateFaultRoot(root: string, options: FaultRootOptions = {}): Promise<FaultRoot> {
	const kernel = await debianKernel();
	const kvs = options.kvs ?? [kernel.kv];
	mkdirSync(join(root, 'boot'), { recursive: true });
	for (const kv of kvs) {
		linkKernelInto(kernel, root, kv);
		if ((options.modules ?? 'metadata') === 'metadata') {
			for (const sub of ['kernel', 'updates', 'extra'])
				rmSync(join(root, 'lib', 'modules', kv, sub), { recursive: true, force: true });
		}
	}
	// Gentoo has /var/tmp; the runtime keeps its work directory there (removed after a kill by the next run).
	mkdirSync(join(root, 'var', 'tmp'), { recursive: true, mode: 0o1777 });
	putFile(root, '/etc/gentoo-release', 'Gentoo Base System release 2.17\n');
	putFile(root, '/etc/os-release', 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n');
	putFile(root, '/etc/machine-id', '0123456789abcdef0123456789abcdef\n');
	putFile(root, '/etc/kernel/cmdline', 'root=LABEL=gentoo ro quiet\n');
	putFile(root, '/etc/dracut.conf', '');
	putFile(root, '/etc/dracut.conf.d/10-faults.conf', `${[SMALL_DRACUT_CONF, ...(options.dracut ?? [])].join('\n')}\n`);
	putFile(
		root,
		'/etc/dist-kernel/dist-kernel.conf',
		`${(options.config ?? ['install-backend = builtin']).join('\n')}\n`,
	);
	return { root, kernel, kvs };
}

export async function makeFaultRoot(options: FaultRootOptions = {}, prefix = 'dk-fault-'): Promise<FaultRoot> {
	const root = mkdtempSync(join(process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir(), prefix));
	return populateFaultRoot(root, options);
}

/**
 * Copies a root: the big read-only inputs (/lib, /usr: kernel modules and sources) as hard links — the runtime
 * only adds files there by rename (depmod) — and everything else as real copies, so that nothing the runtime
 * writes in the copy can reach the original.
 */
export function cloneRoot(from: string, to: string): void {
	rmSync(to, { recursive: true, force: true });
	mkdirSync(to, { recursive: true });
	for (const name of readdirSync(from)) {
		const linked = name === 'lib' || name === 'usr';
		runChecked('cp', [linked ? '-al' : '-a', join(from, name), join(to, name)]);
	}
}

/**
 * Makes `root` a systemd kernel-install system (layout=bls, entry token "gentoo") using the kernel-install backend,
 * with our plugin and systemd's 90-loaderentry.install in /usr/lib/kernel/install.d, as the runtime package and
 * systemd install them. The launcher our plugin execs finds its root from its own path, so copies of the root
 * (cloneRoot) stay self-contained; pass DIST_KERNEL_RUNTIME=<root>/fault-bin/dist-kernel in the environment.
 */
export function addKernelInstall(root: string, bin: string): void {
	putFile(root, '/etc/kernel/install.conf', 'layout=bls\n');
	putFile(root, '/etc/kernel/entry-token', 'gentoo\n');
	putFile(root, '/usr/bin/kernel-install', '#!/bin/sh\n# marks kernel-install as installed in this root\n', 0o755);
	putFile(root, '/etc/dist-kernel/dist-kernel.conf', 'install-backend = kernel-install\n');
	installPlugins(root);
	const launcher = [
		'#!/bin/sh',
		'root="$(cd "$(dirname "$0")/.." && pwd)"',
		`exec '${process.execPath}' '${bin}' --root "$root" "$@"`,
		'',
	].join('\n');
	putFile(root, FAULT_RUNTIME, launcher, 0o755);
}
