// Temp roots holding the real Debian kernel as a Gentoo kernel package would have merged it, with a dracut
// configuration that keeps real dracut runs short (a small module set, no host-only detection, fast gzip).
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testBin } from '../helpers/bin';
import { type DebianKernel, debianKernel, linkKernelInto } from '../helpers/debian-kernel';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

/**
 * dracut maps a bare `compress="gzip"` to `gzip -9`, which took 5.6 of a test image's 7.5 s here; a full command
 * line is used as given, and `gzip -1` writes the same format in a tenth of the time.
 */
export const FAST_COMPRESS = 'compress="gzip -n -1"';

export const FAST_DRACUT_CONF = [
	'# Test configuration: real dracut, small and host-independent.',
	'hostonly="no"',
	'dracutmodules+=" base "',
	'add_drivers+=" virtio_blk "',
	'early_microcode="no"',
	FAST_COMPRESS,
	'',
].join('\n');

export const MACHINE_ID = '5f0d1b2c3a4e4f60718293a4b5c6d7e8';
export const PLUGIN_TEMPLATE = join(
	import.meta.dirname,
	'..',
	'..',
	'templates',
	'overlay',
	'sys-kernel',
	'dist-kernel-runtime',
	'files',
	'50-dist-kernel.install.hbs',
);

export interface KernelRoot extends TempRoot {
	kernel: DebianKernel;
	kv: string;
	/** A script running the test bundle with --root of this root (DIST_KERNEL_RUNTIME for our plugin). */
	runtime: string;
}

export async function kernelRoot(prefix = 'dk-pipeline-'): Promise<KernelRoot> {
	const kernel = await debianKernel();
	const root = makeTempRoot(prefix);
	linkKernelInto(kernel, root.root);
	root.write('/etc/dracut.conf.d/10-test.conf', FAST_DRACUT_CONF);
	const runtime = root.write(
		'/test-bin/dist-kernel',
		`#!/bin/sh\nexec '${process.execPath}' '${testBin()}' --root '${root.root}' "$@"\n`,
		0o755,
	);
	return { ...root, kernel, kv: kernel.kv, runtime };
}

/**
 * Our plugin (a static template: rendered output equals the file) and systemd's own BLS plugin, as on a system.
 * `root` is a TempRoot or the path of a root directory.
 */
export function installPlugins(root: TempRoot | string): string[] {
	const dir = join(typeof root === 'string' ? root : root.root, 'usr', 'lib', 'kernel', 'install.d');
	mkdirSync(dir, { recursive: true });
	const ours = join(dir, '50-dist-kernel.install');
	copyFileSync(PLUGIN_TEMPLATE, ours);
	chmodSync(ours, 0o755);
	const loaderEntry = join(dir, '90-loaderentry.install');
	copyFileSync('/usr/lib/kernel/install.d/90-loaderentry.install', loaderEntry);
	chmodSync(loaderEntry, 0o755);
	return [ours, loaderEntry];
}

/** A stand-in `dracut` on PATH for tests about /boot handling: writes SIZE known bytes to its output argument. */
export function standInDracut(root: TempRoot, size: number): string {
	const dir = root.path('/test-tools');
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'dracut'),
		// DK_STANDIN_KILL_PARENT=1: SIGKILL the calling dist-kernel while this "dracut" runs (deterministic, no timer).
		`#!/bin/bash\nout="\${!#}"\n[[ -n \${DK_STANDIN_KILL_PARENT:-} ]] && kill -9 "\${PPID}"\nyes 'stand-in initramfs' | head -c ${size} > "$out"\n`,
		{ mode: 0o755 },
	);
	return dir;
}

export function standInBytes(size: number): Buffer {
	const line = Buffer.from('stand-in initramfs\n');
	const out = Buffer.alloc(size);
	for (let i = 0; i < size; i += line.length) line.copy(out, i, 0, Math.min(line.length, size - i));
	return out;
}
