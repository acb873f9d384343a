// Private work directory (0700) for dracut's output and temporary files: /var/tmp of the root when it exists
// (large, disk-backed), else the system temp directory. Always removed afterwards; one left by a killed run of
// the same root is removed by the next run (callers hold the boot lock of that root, so none is in use).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDirectory } from '../../../lib/path-kind';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

/** The root's /var/tmp when it has one (large, disk-backed), else the system temp directory. */
export function workBase(ctx: Pick<RuntimeContext, 'root'>): string {
	const varTmp = systemPath(ctx, '/var/tmp');
	return isDirectory(varTmp) ? varTmp : tmpdir();
}

export async function withWorkDir<T>(
	ctx: Pick<RuntimeContext, 'root' | 'dryRun'>,
	fn: (dir: string) => Promise<T>,
): Promise<T> {
	const base = workBase(ctx);
	const prefix = `dist-kernel.${createHash('sha256').update(ctx.root).digest('hex').slice(0, 8)}.`;
	if (!ctx.dryRun) {
		for (const name of readdirSync(base))
			if (name.startsWith(prefix)) rmSync(join(base, name), { recursive: true, force: true });
	}
	// mkdtemp creates the directory with mode 0700.
	const dir = mkdtempSync(join(base, prefix));
	try {
		return await fn(dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
