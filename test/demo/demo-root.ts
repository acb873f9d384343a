// A minimal Gentoo-like target root for the demo: dracut configuration (real dracut, small and host-independent),
// the kernel command line, machine-id. The kernel itself is linked in by test/helpers/debian-kernel.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeVdbPackage } from '../modules/vdb-builder';

function put(root: string, path: string, content: string): void {
	const full = join(root, path);
	mkdirSync(dirname(full), { recursive: true });
	writeFileSync(full, content, { mode: 0o644 });
}

export function makeDemoRoot(root: string, options: { uki: boolean }): void {
	mkdirSync(join(root, 'boot'), { recursive: true });
	put(root, '/etc/gentoo-release', 'Gentoo Base System release 2.17\n');
	put(root, '/etc/machine-id', '0123456789abcdef0123456789abcdef\n');
	put(root, '/etc/kernel/cmdline', 'root=LABEL=gentoo ro quiet\n');
	// This machine is a build host, not the target: no host-only detection; a small module set keeps it quick, and
	// so does zstd's default level (a bare `compress="zstd"` is dracut's `zstd -15`, 15 times slower here).
	put(
		root,
		'/etc/dracut.conf.d/10-demo.conf',
		`${['hostonly="no"', 'dracutmodules+=" base "', 'compress="zstd -q"', 'early_microcode="no"', options.uki ? 'uefi="yes"' : ''].join('\n')}\n`,
	);
}

/**
 * Installed-package records as Portage would have left them: the kernel package that owns /lib/modules/KV, the
 * virtual at the same version, and a module package still built for an older kernel with USE=-dist-kernel (so
 * `status` and `doctor` have something to report).
 */
export function writeDemoVdb(root: string, kv: string): void {
	const pv = '6.1.158';
	writeVdbPackage(root, {
		cpv: `sys-kernel/gentoo-kernel-bin-${pv}`,
		slot: pv,
		use: ['amd64', 'initramfs'],
		iuse: ['+initramfs', 'test'],
		rdepend: 'sys-kernel/dist-kernel-runtime',
		files: [`/lib/modules/${kv}/vmlinuz`, `/usr/src/linux-${kv}/arch/x86/boot/bzImage`],
		counter: 10,
	});
	writeVdbPackage(root, {
		cpv: `virtual/dist-kernel-${pv}`,
		slot: `0/${pv}`,
		rdepend: `|| ( ~sys-kernel/gentoo-kernel-bin-${pv} )`,
		counter: 11,
	});
	writeVdbPackage(root, {
		cpv: 'app-emulation/virtualbox-modules-7.1.4',
		use: ['amd64', 'strip'],
		iuse: ['dist-kernel', 'modules-compress', 'modules-sign', '+strip'],
		rdepend: 'sys-apps/kmod[tools]',
		inherited: ['linux-info', 'linux-mod-r1', 'dist-kernel-utils'],
		files: ['/lib/modules/6.0.12-gentoo-dist/misc/vboxdrv.ko', '/lib/modules/6.0.12-gentoo-dist/misc/vboxnetflt.ko'],
		counter: 5,
	});
}
