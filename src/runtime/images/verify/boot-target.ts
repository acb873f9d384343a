// What to boot: the installed files of kernel KV as the boot loader would use them, found whatever layout put
// them there (compat /boot/vmlinuz-KV + initramfs, BLS entry directory, UKI in EFI/Linux or in place of the
// kernel), with the command line the boot loader would pass; or the freshly built artifacts before they are
// installed (the install pipeline).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import { systemView, underRoot } from '../../../lib/root';
import { type BlsEntry, parseBlsEntry } from '../../../parsers/bls-entry';
import { splitCmdline } from '../../../parsers/kernel-cmdline';
import { findSection } from '../../../parsers/pe-sections';
import { BOOT_DIRS, findBootFiles, mentionsKernel } from '../../boot/files/boot-files';
import type { KernelArtifacts } from '../../boot/files/types';
import { inChroot } from '../../boot/settings/in-chroot';
import { readKernelCmdline } from '../../boot/settings/kernel-cmdline';
import type { RuntimeContext } from '../../context';
import { isLiveRoot, systemPath } from '../../context';

export interface BootTarget {
	kind: 'kernel' | 'uki';
	/** Disk paths. */
	image: string;
	initrds: string[];
	/** The command line: a UKI's embedded one, else what the boot loader passes. */
	params: string[];
	cmdlineSource: string;
	/** System paths of the files booted, for the report. */
	shown: string[];
}

function readUkiCmdline(path: string): string[] {
	const section = findSection(readFileSync(path), '.cmdline');
	return section ? splitCmdline(section.toString('utf8').replace(/\0+$/, '')) : [];
}

interface FoundEntry {
	file: string;
	bootDir: string;
	linux: string;
	initrds: string[];
	options: string;
}

/** BLS type #1 entries for KV (loader/entries/*.conf whose version or kernel path names KV). */
function findBlsEntry(ctx: Pick<RuntimeContext, 'root'>, kv: string): FoundEntry | undefined {
	for (const dir of BOOT_DIRS) {
		const entries = systemPath(ctx, `${dir}/loader/entries`);
		let names: string[];
		try {
			names = readdirSync(entries)
				.filter((n) => n.endsWith('.conf'))
				.sort();
		} catch {
			continue;
		}
		for (const name of names) {
			let entry: BlsEntry;
			try {
				entry = parseBlsEntry(readFileSync(join(entries, name), 'utf8'));
			} catch {
				continue;
			}
			if (!entry.linux) continue;
			const named =
				entry.version === kv || mentionsKernel(name.replace(/\.conf$/, ''), kv) || entry.linux.split('/').includes(kv);
			if (!named) continue;
			const bootDir = systemPath(ctx, dir);
			return { file: join(entries, name), bootDir, linux: entry.linux, initrds: entry.initrds, options: entry.options };
		}
	}
	return undefined;
}

/**
 * An entry's path is relative to the partition holding it. Under --root, where that partition is not a mount
 * point, systemd's kernel-install writes it relative to the enclosing mount, so it may name the root's own path.
 */
function entryPath(ctx: Pick<RuntimeContext, 'root'>, bootDir: string, path: string): string {
	const direct = underRoot(bootDir, path);
	if (existsSync(direct) || ctx.root === '/') return direct;
	const prefix = ctx.root.endsWith('/') ? ctx.root : `${ctx.root}/`;
	if (path.startsWith(prefix)) return underRoot(ctx.root, path.slice(prefix.length - 1));
	return direct;
}

function fallbackCmdline(ctx: Pick<RuntimeContext, 'root'>): { params: string[]; source: string } {
	const configured = readKernelCmdline(ctx);
	if (configured) return { params: splitCmdline(configured.value), source: configured.source };
	// inside a chroot, /proc/cmdline is the build host's, not the command line this system boots with
	if (isLiveRoot(ctx) && !inChroot()) {
		try {
			return {
				params: splitCmdline(readFileSync('/proc/cmdline', 'utf8')).filter(
					(p) => !p.startsWith('BOOT_IMAGE=') && !p.startsWith('initrd='),
				),
				source: '/proc/cmdline',
			};
		} catch {
			// No /proc: no command line.
		}
	}
	return { params: [], source: 'none' };
}

export function locateInstalled(ctx: Pick<RuntimeContext, 'root'>, kv: string): BootTarget {
	const files = findBootFiles(ctx.root, kv);
	const uki = files.ukis.find((f) => f.size > 0);
	if (uki) {
		return {
			kind: 'uki',
			image: uki.fullPath,
			initrds: [],
			params: readUkiCmdline(uki.fullPath),
			cmdlineSource: `${uki.path} (.cmdline)`,
			shown: [uki.path],
		};
	}
	const entry = findBlsEntry(ctx, kv);
	if (entry) {
		const image = entryPath(ctx, entry.bootDir, entry.linux);
		const initrds = entry.initrds.map((i) => entryPath(ctx, entry.bootDir, i));
		const shown = [image, ...initrds].map((p) => systemView(ctx.root, p));
		// A BLS entry pointing at a UKI (`linux` with .linux and .initrd sections) boots as a UKI.
		if (initrds.length === 0 && files.ukis.some((f) => f.fullPath === image)) {
			return {
				kind: 'uki',
				image,
				initrds: [],
				params: readUkiCmdline(image),
				cmdlineSource: `${shown[0]} (.cmdline)`,
				shown,
			};
		}
		return {
			kind: 'kernel',
			image,
			initrds,
			params: splitCmdline(entry.options),
			cmdlineSource: systemView(ctx.root, entry.file),
			shown,
		};
	}
	const kernel = files.kernels[0];
	if (!kernel) {
		throw new DistKernelError('verify.not-installed', `kernel ${kv} is not installed in the boot partitions`, {
			details: `looked under ${BOOT_DIRS.join(', ')}`,
			hint: `dist-kernel install ${kv}`,
		});
	}
	const sameDir = files.initrds.filter((f) => f.size > 0 && dirname(f.fullPath) === dirname(kernel.fullPath));
	const initrd = sameDir[0] ?? files.initrds.find((f) => f.size > 0);
	const cmdline = fallbackCmdline(ctx);
	return {
		kind: 'kernel',
		image: kernel.fullPath,
		initrds: initrd ? [initrd.fullPath] : [],
		params: cmdline.params,
		cmdlineSource: cmdline.source,
		shown: [kernel.path, ...(initrd ? [initrd.path] : [])],
	};
}

/** The artifacts the install pipeline just built, before they reach /boot; the command line the install will use. */
export function targetFromArtifacts(ctx: Pick<RuntimeContext, 'root'>, artifacts: KernelArtifacts): BootTarget {
	if (artifacts.uki) {
		return {
			kind: 'uki',
			image: artifacts.image,
			initrds: [],
			params: readUkiCmdline(artifacts.image),
			cmdlineSource: 'the new UKI (.cmdline)',
			shown: ['new unified kernel image'],
		};
	}
	const cmdline = fallbackCmdline(ctx);
	return {
		kind: 'kernel',
		image: artifacts.image,
		initrds: artifacts.initrd ? [artifacts.initrd] : [],
		params: cmdline.params,
		cmdlineSource: cmdline.source,
		shown: [systemView(ctx.root, artifacts.image), ...(artifacts.initrd ? ['new initramfs'] : [])],
	};
}
