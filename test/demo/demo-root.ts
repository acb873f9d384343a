// A minimal Gentoo-like target root for the demo: dracut configuration (real dracut, small and host-independent),
// the kernel command line, machine-id. The kernel itself is linked in by test/helpers/debian-kernel.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
	// This machine is a build host, not the target: no host-only detection; a small module set keeps it quick.
	put(
		root,
		'/etc/dracut.conf.d/10-demo.conf',
		['hostonly="no"', 'dracutmodules+=" base "', 'compress="zstd"', 'early_microcode="no"', options.uki ? 'uefi="yes"' : ''].join('\n') + '\n',
	);
}
