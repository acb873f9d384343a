// Finds what is installed for a kernel release in the boot partitions, whatever layout put it there:
// compat (/boot/vmlinuz-KV + initramfs-KV.img), BLS ($BOOT/<token>/<KV>/linux + initrd), efistub
// (ESP/EFI/<name>/vmlinuz-KV.efi), UKI (ESP/EFI/Linux/<token>-KV*.efi). Read-only.
import { closeSync, type Dirent, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { systemView, underRoot } from '../../../lib/root';
import { readPeSections } from '../../../parsers/pe-sections';

export const BOOT_DIRS = ['/boot', '/efi', '/boot/efi'];
const MAX_DEPTH = 5;

export interface BootFile {
	/** Path as the target system sees it. */
	path: string;
	/** Full path under root. */
	fullPath: string;
	size: number;
}

export interface BootFiles {
	kernels: BootFile[];
	initrds: BootFile[];
	ukis: BootFile[];
}

/**
 * KV appears as a whole token: at the start or after '-' (vmlinuz-KV, initrd.img-KV, gentoo-KV.efi), and at the
 * end or before '.' + non-digit or '+' (initramfs-KV.img, <token>-KV+3-0.efi with boot counting). So 6.1.11 does
 * not match 6.1.11-gentoo-dist and 6.1.1 does not match 6.1.11.
 */
export function mentionsKernel(name: string, kv: string): boolean {
	if (name.endsWith('.old')) return false;
	for (let at = name.indexOf(kv); at >= 0; at = name.indexOf(kv, at + 1)) {
		const before = at === 0 ? '' : name[at - 1]!;
		const rest = name.slice(at + kv.length);
		if ((before === '' || before === '-') && (rest === '' || rest[0] === '+' || /^\.[^0-9]/.test(rest))) return true;
	}
	return false;
}

function peHead(fullPath: string): string[] {
	let fd: number | undefined;
	try {
		fd = openSync(fullPath, 'r');
		const head = Buffer.alloc(8192);
		const n = readSync(fd, head, 0, head.length, 0);
		return readPeSections(head.subarray(0, n)).map((s) => s.name);
	} catch {
		return [];
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

function walk(
	dir: string,
	depth: number,
	visit: (full: string, entry: Dirent, parents: string[]) => void,
	parents: string[] = [],
): void {
	let entries: Dirent[];
	try {
		entries = readdirSync(dir, { withFileTypes: true });
	} catch {
		return;
	}
	for (const entry of entries) {
		const full = join(dir, entry.name);
		if (entry.isDirectory()) {
			if (depth < MAX_DEPTH && entry.name !== 'lost+found') walk(full, depth + 1, visit, [...parents, entry.name]);
		} else if (entry.isFile()) visit(full, entry, parents);
	}
}

/** Every boot file for `kv` under the boot directories of `root`. */
export function findBootFiles(root: string, kv: string): BootFiles {
	const found: BootFiles = { kernels: [], initrds: [], ukis: [] };
	const seen = new Set<string>();
	for (const dir of BOOT_DIRS) {
		let base: string;
		try {
			base = underRoot(root, dir);
		} catch {
			continue;
		}
		walk(base, 0, (full, entry, parents) => {
			const inKvDir = parents.includes(kv);
			if (!inKvDir && !mentionsKernel(entry.name, kv)) return;
			let ino: string;
			let size: number;
			try {
				const st = statSync(full);
				ino = `${st.dev}:${st.ino}`;
				size = st.size;
			} catch {
				return;
			}
			// /boot/efi is often the ESP mounted inside /boot: count each file once.
			if (seen.has(ino)) return;
			seen.add(ino);
			const file: BootFile = { path: systemView(root, full), fullPath: full, size };
			const name = entry.name;
			if (/^(?:vmlinu[xz]|kernel|bzImage|linux)(?:[-.]|$)/.test(name) && !name.endsWith('.efi')) {
				// dist-kernel installs a UKI in place of the kernel (vmlinuz-KV): tell it apart by its PE sections.
				const sections = peHead(full);
				if (sections.includes('.linux') && sections.includes('.initrd')) found.ukis.push(file);
				else found.kernels.push(file);
			} else if (/^(?:initrd|initramfs)/.test(name)) found.initrds.push(file);
			else if (name.endsWith('.efi')) {
				const sections = peHead(full);
				if (sections.includes('.linux') && sections.includes('.initrd')) found.ukis.push(file);
				else if (sections.includes('.linux')) found.kernels.push(file);
				else if (/^(?:vmlinu[xz]|kernel|bzImage)/.test(name)) found.kernels.push(file);
			}
		});
	}
	return found;
}
