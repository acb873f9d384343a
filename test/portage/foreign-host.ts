// A "foreign host" overlay layer under every throw-away root, above the machine's own `/`: what a Debian machine
// with dracut or initramfs-tools (or an admin's leftovers) may hold at the paths declared-root.ts declares. Each
// hook, plugin and configuration file leaves a marker under /var/lib/dk-foreign when it is run or sourced, and the
// hooks write /boot/initrd.img-KV as Debian's do. The declared layers above it must hide all of it: any marker, any
// /boot/initrd.img-*, or the foreign BOOT_ROOT in a root's upper dir means a flow ran, read or copied a host file.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const FOREIGN_MARKERS = '/var/lib/dk-foreign';
/** The BOOT_ROOT of the foreign install.conf: kernel-install writes there only if it read that file. */
export const FOREIGN_BOOT_ROOT = '/dk-foreign-boot';
/** A module the foreign dracut.conf.d adds (`add_drivers`): an image holding it was built with that file. */
export const FOREIGN_DRIVER = 'dummy';
/** A word on the foreign kernel command lines (/etc/kernel/cmdline, /etc/default/grub). */
export const FOREIGN_CMDLINE_WORD = 'dk_foreign_cmdline';

const mark = (name: string) => `: > ${FOREIGN_MARKERS}/${name}`;

/** A run-parts hook as Debian's dracut / initramfs-tools packages install them (`KV [IMAGE]`). */
function debianHook(name: string, action: 'create' | 'remove'): string {
	return [
		'#!/bin/sh',
		`# foreign host: Debian's ${name} kernel hook, as its package installs it`,
		'version="$1"',
		'bootdir=/boot',
		'[ -n "$2" ] && bootdir=$(dirname "$2")',
		`mkdir -p ${FOREIGN_MARKERS} && : > "${FOREIGN_MARKERS}/hook-${name}-$(basename "$(dirname "$0")")-\${version}"`,
		action === 'create'
			? 'echo "foreign host initramfs" > "${bootdir}/initrd.img-${version}"'
			: 'rm -f "${bootdir}/initrd.img-${version}"',
		'',
	].join('\n');
}

function markingPlugin(name: string): string {
	return `#!/bin/sh\n# foreign host: a kernel-install plugin\nmkdir -p ${FOREIGN_MARKERS} && : > "${FOREIGN_MARKERS}/plugin-${name}-$1-$2"\n`;
}

/** Root path → [content, mode]. */
export function foreignFiles(): Record<string, [string, number]> {
	const exe = 0o755;
	const conf = 0o644;
	return {
		'/etc/kernel/preinst.d/dk-foreign': [debianHook('preinst', 'create'), exe],
		'/etc/kernel/postinst.d/dracut': [debianHook('dracut', 'create'), exe],
		'/etc/kernel/postinst.d/initramfs-tools': [debianHook('initramfs-tools', 'create'), exe],
		'/etc/kernel/prerm.d/dk-foreign': [debianHook('prerm', 'remove'), exe],
		'/etc/kernel/postrm.d/dracut': [debianHook('dracut', 'remove'), exe],
		'/etc/kernel/postrm.d/initramfs-tools': [debianHook('initramfs-tools', 'remove'), exe],
		'/usr/lib/kernel/postinst.d/dk-foreign': [debianHook('usr-postinst', 'create'), exe],
		'/etc/kernel/install.d/50-dk-foreign.install': [markingPlugin('etc'), exe],
		'/usr/lib/kernel/install.d/85-dk-foreign.install': [markingPlugin('usr'), exe],
		'/usr/local/lib/kernel/install.d/60-dk-foreign.install': [markingPlugin('usr-local'), exe],
		// kernel-install 252 and our runtime source install.conf with sh/bash
		'/etc/kernel/install.conf': [
			`${mark('etc-kernel-install.conf')}\nlayout=bls\nBOOT_ROOT=${FOREIGN_BOOT_ROOT}\n`,
			conf,
		],
		'/usr/lib/kernel/install.conf': [
			`${mark('usr-kernel-install.conf')}\nlayout=bls\nBOOT_ROOT=${FOREIGN_BOOT_ROOT}\n`,
			conf,
		],
		'/etc/kernel/cmdline': [`root=/dev/dk-foreign ${FOREIGN_CMDLINE_WORD}\n`, conf],
		// dracut and our runtime source these with bash
		'/etc/dracut.conf': [`${mark('etc-dracut.conf')}\n`, conf],
		'/etc/dracut.conf.d/90-dk-foreign.conf': [
			`${mark('etc-dracut.conf.d')}\nadd_drivers+=" ${FOREIGN_DRIVER} "\n`,
			conf,
		],
		'/usr/lib/dracut/dracut.conf.d/90-dk-foreign.conf': [
			`${mark('usr-dracut.conf.d')}\nadd_drivers+=" ${FOREIGN_DRIVER} "\n`,
			conf,
		],
		'/etc/initramfs-tools/initramfs.conf': ['MODULES=most\nCOMPRESS=zstd\n', conf],
		'/etc/initramfs-tools/hooks/dk-foreign': [`#!/bin/sh\n${mark('initramfs-tools-hook')}\n`, exe],
		'/etc/default/grub': [
			`${mark('default-grub')}\nGRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX="${FOREIGN_CMDLINE_WORD}"\n`,
			conf,
		],
		'/etc/fstab': ['/dev/dk-foreign-root / ext4 defaults 0 1\n/dev/dk-foreign-esp /efi vfat umask=0077 0 2\n', conf],
		'/boot/initrd.img-0.0.0-dk-foreign': ['foreign host initramfs\n', conf],
		'/boot/vmlinuz-0.0.0-dk-foreign': ['foreign host kernel\n', conf],
		'/efi/EFI/Linux/dk-foreign.efi': ['foreign host UKI\n', conf],
		'/efi/loader/entries/dk-foreign.conf': [
			`title foreign host\nlinux /dk-foreign/linux\noptions ${FOREIGN_CMDLINE_WORD}\n`,
			conf,
		],
		'/lib/modules/0.0.0-dk-foreign/modules.dep': ['', conf],
		// the marker directory exists, so that a sourced configuration file's `: > marker` needs no mkdir
		[`${FOREIGN_MARKERS}/README`]: [
			'Markers of foreign host files that were run or sourced inside a test root.\n',
			conf,
		],
	};
}

function listFiles(dir: string, shown: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? listFiles(join(dir, e.name), `${shown}/${e.name}`) : [`${shown}/${e.name}`],
	);
}

/**
 * What a root's upper dir holds that only a foreign file could have left: markers, Debian-style initramfs images,
 * the foreign BOOT_ROOT. `path` maps a root path to its place in the upper dir.
 */
export function foreignTraces(path: (rootPath: string) => string): string[] {
	const traces = listFiles(path(FOREIGN_MARKERS), FOREIGN_MARKERS);
	const boot = path('/boot');
	if (existsSync(boot))
		traces.push(
			...readdirSync(boot)
				.filter((n) => n.startsWith('initrd.img-'))
				.map((n) => `/boot/${n}`),
		);
	if (existsSync(path(FOREIGN_BOOT_ROOT))) traces.push(FOREIGN_BOOT_ROOT);
	return traces;
}
