// A private temporary file for a child's binary output (a decompressed initramfs, easily over 100 MB): the child
// writes it straight to the file; through a pipe, Node's 64 KiB reads stall the tool and cost more CPU than the
// decompression itself.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistKernelError } from './errors';

export interface Spool {
	fd: number;
	path: string;
	/** Closes and removes the file. */
	close(): void;
}

/** An open, empty file only we can read (mode 0600 in a fresh 0700 directory), removed by close(). */
export function openSpool(): Spool {
	let dir: string | undefined;
	try {
		dir = mkdtempSync(join(tmpdir(), 'dist-kernel-out.'));
		const path = join(dir, 'stdout');
		const fd = openSync(path, 'wx+', 0o600);
		const made = dir;
		return {
			fd,
			path,
			close: () => {
				closeSync(fd);
				rmSync(made, { recursive: true, force: true });
			},
		};
	} catch (error) {
		if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
		throw new DistKernelError('exec.spool', `cannot create a temporary file in ${tmpdir()}`, { cause: error });
	}
}
