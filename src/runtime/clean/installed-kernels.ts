// The kernels `clean` looks at: every /lib/modules/KV, with its boot files (any layout) and install time.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { underRoot } from '../../lib/root';
import { isKernelVersion } from '../../lib/validate';
import { findBootFiles, type BootFile } from '../status/boot-files';

export const MODULES_DIR = '/lib/modules';

export interface KernelOnDisk {
	kv: string;
	bootFiles: BootFile[];
	/** Newest mtime among the boot files (ms); the module directory's when there are none. */
	installedAt: number;
	/** The module directory holds kernel modules (`*.ko`, compressed or not). */
	hasModules: boolean;
}

function mtime(path: string): number {
	try {
		return statSync(path).mtimeMs;
	} catch {
		return 0;
	}
}

function containsModule(dir: string): boolean {
	try {
		return readdirSync(dir, { recursive: true }).some((name) => /\.ko(?:\.(?:gz|xz|zst))?$/.test(String(name)));
	} catch {
		return false;
	}
}

export function listKernelsOnDisk(root: string): KernelOnDisk[] {
	const base = underRoot(root, MODULES_DIR);
	let names: string[];
	try {
		names = readdirSync(base);
	} catch {
		return [];
	}
	const out: KernelOnDisk[] = [];
	for (const kv of names.filter(isKernelVersion).sort()) {
		const dir = join(base, kv);
		if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
		const found = findBootFiles(root, kv);
		const bootFiles = [...found.kernels, ...found.initrds, ...found.ukis];
		const installedAt = bootFiles.length > 0 ? Math.max(...bootFiles.map((f) => mtime(f.fullPath))) : mtime(dir);
		out.push({ kv, bootFiles, installedAt, hasModules: containsModule(dir) });
	}
	return out;
}
