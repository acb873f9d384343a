// The kernels `clean` looks at: what the install backend lists, plus every /lib/modules/KV, each with its boot
// files (the backend's, and whatever any other layout left for that release) and its install time.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { underRoot } from '../../../lib/root';
import { isKernelVersion } from '../../../lib/validate';
import { findBootFiles } from './boot-files';
import type { InstalledKernel } from './types';

export const MODULES_DIR = '/lib/modules';

export interface KernelOnDisk {
	kv: string;
	/** System paths of its boot files. */
	bootFiles: string[];
	/** Newest mtime among the boot files (ms); the module directory's when there are none. */
	installedAt: number;
	/** /lib/modules/KV exists. */
	hasModuleDir: boolean;
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

function moduleDirs(root: string): string[] {
	try {
		return readdirSync(underRoot(root, MODULES_DIR)).filter(
			(kv) => isKernelVersion(kv) && statSync(underRoot(root, `${MODULES_DIR}/${kv}`)).isDirectory(),
		);
	} catch {
		return [];
	}
}

/** `installed`: the active backend's listing (`listInstalledKernels`). */
export function listKernelsOnDisk(root: string, installed: readonly InstalledKernel[]): KernelOnDisk[] {
	const kvs = new Set<string>([...installed.map((k) => k.kv).filter(isKernelVersion), ...moduleDirs(root)]);
	const out: KernelOnDisk[] = [];
	for (const kv of [...kvs].sort()) {
		const found = findBootFiles(root, kv);
		const files = new Set<string>(installed.filter((k) => k.kv === kv).flatMap((k) => k.files));
		for (const f of [...found.kernels, ...found.initrds, ...found.ukis]) files.add(f.path);
		const bootFiles = [...files].filter((f) => mtime(underRoot(root, f)) > 0).sort();
		const dir = join(underRoot(root, MODULES_DIR), kv);
		const hasModuleDir = moduleDirs(root).includes(kv);
		const installedAt =
			bootFiles.length > 0 ? Math.max(...bootFiles.map((f) => mtime(underRoot(root, f)))) : mtime(dir);
		out.push({ kv, bootFiles, installedAt, hasModuleDir, hasModules: hasModuleDir && containsModule(dir) });
	}
	return out;
}
