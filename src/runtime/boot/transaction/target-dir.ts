// Boot directories (/boot, the ESP) are resolved under the root and must really be inside it: a /boot that is a
// symlink out of the root, or a planted symlink where a boot file goes, is refused before anything is written.
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

function inside(base: string, path: string): boolean {
	const rel = relative(base, path);
	return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Disk path of a boot directory; created (0755) when missing unless --dry-run. */
export function resolveBootDir(ctx: Pick<RuntimeContext, 'root' | 'dryRun'>, dir: string): string {
	const disk = systemPath(ctx, dir);
	try {
		lstatSync(disk);
	} catch {
		if (ctx.dryRun) return disk;
		mkdirSync(disk, { recursive: true, mode: 0o755 });
	}
	const real = realpathSync(disk);
	const realRoot = realpathSync(ctx.root);
	if (!inside(realRoot, real)) {
		throw new DistKernelError(
			'boot.symlink',
			`refusing a boot directory that leads out of the root: ${dir} → ${real}`,
			{
				hint: `check ${dir}: it is a symbolic link to a directory outside ${ctx.root}`,
			},
		);
	}
	return real;
}

/** A file name inside a boot directory; refuses names with '/' and existing symlinks at that place. */
export function bootFilePath(dir: string, name: string): string {
	if (name.includes('/') || name === '.' || name === '..' || name !== basename(name)) {
		throw new DistKernelError('boot.name', `Expected a file name without '/', got \`${name}\``);
	}
	const path = join(dir, name);
	assertNotSymlink(path);
	return path;
}

export function assertNotSymlink(path: string): void {
	try {
		if (lstatSync(path).isSymbolicLink()) {
			throw new DistKernelError('boot.symlink', `refusing to write through a symbolic link: ${path}`, {
				hint: 'a boot file is a symbolic link; remove it after checking who planted it',
			});
		}
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
}
