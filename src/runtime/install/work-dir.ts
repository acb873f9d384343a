// Private work directory (0700) for dracut's output and temporary files: /var/tmp of the root when it exists
// (large, disk-backed), else the system temp directory. Always removed afterwards.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeContext } from '../context';
import { systemPath } from '../context';

export async function withWorkDir<T>(ctx: Pick<RuntimeContext, 'root'>, fn: (dir: string) => Promise<T>): Promise<T> {
	let base = tmpdir();
	try {
		const varTmp = systemPath(ctx, '/var/tmp');
		if (statSync(varTmp).isDirectory()) base = varTmp;
	} catch {
		// No /var/tmp in this root.
	}
	// mkdtemp creates the directory with mode 0700.
	const dir = mkdtempSync(join(base, 'dist-kernel.'));
	try {
		return await fn(dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
