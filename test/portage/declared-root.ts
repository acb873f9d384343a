// The state every throw-away root starts from for the paths a kernel install reads or runs, whatever this machine
// has there (a Debian host with `dracut` or `initramfs-tools` ships /etc/kernel/postinst.d hooks that would build a
// second image). Gentoo-like means: no kernel hooks, no initramfs-tools, no boot loader configuration, an empty
// /boot, /lib/modules and dracut configuration, no /efi, and kernel-install with only the plugins systemd itself
// ships (Debian's own 85-initrd.install, which links /boot/initrd.img-KV, is not one of them). Tests add what they
// need on top, in the root's upper dir.
//
// Two overlay layers over the rest: `masks` holds a whiteout (a 0:0 character device) at each declared path, which
// hides every lower layer's version of it; `declared` above it holds the declared contents.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

type DeclaredContent =
	| { kind: 'dir'; entries?: Record<string, DeclaredContent> }
	| { kind: 'file'; content: string; mode?: number }
	/** A file of this machine's own, copied by name (systemd's plugins: kernel-install's own). */
	| { kind: 'host'; path: string; mode: number };

export type DeclaredEntry = { kind: 'absent' } | DeclaredContent;

/** The plugins systemd's kernel-install ships (252: the first two; 253 added 90-uki-copy), from this machine's systemd. */
const SYSTEMD_PLUGINS = ['50-depmod.install', '90-loaderentry.install', '90-uki-copy.install'];

function systemdPlugins(): Record<string, DeclaredContent> {
	const entries: Record<string, DeclaredContent> = {};
	for (const name of SYSTEMD_PLUGINS) {
		const path = `/usr/lib/kernel/install.d/${name}`;
		if (existsSync(path)) entries[name] = { kind: 'host', path, mode: 0o755 };
	}
	return entries;
}

const EMPTY_DIR: DeclaredContent = { kind: 'dir' };

/** Path in the root → what it holds. A declared directory hides everything the host has inside it. */
export function declaredPaths(): Record<string, DeclaredEntry> {
	return {
		// sys-kernel/installkernel keeps these directories; Gentoo ships no hooks in them
		'/etc/kernel': {
			kind: 'dir',
			entries: {
				'preinst.d': EMPTY_DIR,
				'postinst.d': EMPTY_DIR,
				'prerm.d': EMPTY_DIR,
				'postrm.d': EMPTY_DIR,
				'install.d': EMPTY_DIR,
			},
		},
		'/usr/lib/kernel': {
			kind: 'dir',
			entries: {
				'install.d': { kind: 'dir', entries: systemdPlugins() },
				'install.conf': {
					kind: 'file',
					content:
						'# systemd ships install.conf with every setting commented out\n#layout=bls|other|...\n#initrd_generator=dracut|...\n',
				},
			},
		},
		'/usr/local/lib/kernel': { kind: 'absent' },
		'/etc/dracut.conf': {
			kind: 'file',
			content: '# dracut ships an empty /etc/dracut.conf: the admin writes /etc/dracut.conf.d/*.conf\n',
		},
		'/etc/dracut.conf.d': EMPTY_DIR,
		'/usr/lib/dracut/dracut.conf.d': EMPTY_DIR,
		'/etc/initramfs-tools': { kind: 'absent' },
		'/etc/default/grub': { kind: 'absent' },
		'/boot': EMPTY_DIR,
		'/efi': { kind: 'absent' },
		'/lib/modules': EMPTY_DIR,
		'/etc/fstab': {
			kind: 'file',
			content: '# /etc/fstab: static file system information (no entries: the test root has no disks)\n',
		},
	};
}

/** merged-usr (Debian 12): /lib is a link into /usr, so a layer must hold /lib/modules as usr/lib/modules. */
export function layerPath(rootPath: string): string {
	return rootPath.replace(/^\/(lib|bin|sbin)(\/|$)/, '/usr/$1$2');
}

function writeContent(path: string, entry: DeclaredContent): void {
	switch (entry.kind) {
		case 'dir':
			mkdirSync(path, { recursive: true, mode: 0o755 });
			chmodSync(path, 0o755);
			for (const [name, child] of Object.entries(entry.entries ?? {})) writeContent(join(path, name), child);
			return;
		case 'file':
			writeFileSync(path, entry.content);
			chmodSync(path, entry.mode ?? 0o644);
			return;
		case 'host':
			copyFileSync(entry.path, path);
			chmodSync(path, entry.mode);
	}
}

/** Writes the `masks` and `declared` layer directories (the caller stacks declared over masks over the rest). */
export function writeDeclaredLayers(
	masks: string,
	declared: string,
	paths: Record<string, DeclaredEntry> = declaredPaths(),
): void {
	for (const [rootPath, entry] of Object.entries(paths)) {
		const at = layerPath(rootPath);
		mkdirSync(dirname(join(masks, at)), { recursive: true });
		const whiteout = spawnSync('mknod', [join(masks, at), 'c', '0', '0'], { encoding: 'utf8' });
		if (whiteout.status !== 0)
			throw new Error(
				`cannot create the overlay whiteout for ${rootPath}: ${whiteout.stderr || whiteout.error?.message}`,
			);
		if (entry.kind === 'absent') continue;
		mkdirSync(dirname(join(declared, at)), { recursive: true });
		writeContent(join(declared, at), entry);
	}
}
