// Files are replaced, never rewritten in place: temp name in the same directory, fsync, rename, fsync dir.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, constants, lstatSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkpoint } from './checkpoint';
import { DistKernelError } from './errors';

export interface AtomicWriteOptions {
	/** File mode (default 0o644). */
	mode?: number;
}

export function tempNameFor(target: string): string {
	return join(dirname(target), `.${basename(target)}.dk-${randomBytes(4).toString('hex')}.tmp`);
}

export function fsyncDir(dir: string): void {
	let fd: number | undefined;
	try {
		fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
		fsyncSync(fd);
	} catch {
		// Some filesystems (vfat on old kernels) refuse fsync on a directory: the rename is still atomic.
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** Write `data` to `target` atomically. The temp file is created O_EXCL|O_NOFOLLOW so a planted symlink is never followed. */
export function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
	const temp = tempNameFor(target);
	const buffer = typeof data === 'string' ? Buffer.from(data) : data;
	let fd: number | undefined;
	try {
		fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, options.mode ?? 0o644);
		checkpoint(`write.open ${target}`);
		let offset = 0;
		while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
		checkpoint(`write.data ${target}`);
		fsyncSync(fd);
		closeSync(fd);
		fd = undefined;
		refuseSymlinkTarget(target);
		checkpoint(`write.rename ${target}`);
		renameSync(temp, target);
		fsyncDir(dirname(target));
		checkpoint(`write.done ${target}`);
	} catch (error) {
		if (fd !== undefined) closeSync(fd);
		try {
			unlinkSync(temp);
		} catch {
			// Nothing was created.
		}
		if (error instanceof DistKernelError) throw error;
		const err = error as NodeJS.ErrnoException;
		if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
			throw new DistKernelError('fs.no-space', `no space left while writing: ${target}`, {
				hint: 'free space on that filesystem (e.g. `dist-kernel clean`) and run again; the previous file is unchanged',
				cause: error,
			});
		}
		throw new DistKernelError('fs.write', `cannot write: ${target} (${err.code ?? err.message})`, { cause: error });
	}
}

/** Renaming onto a symlink replaces the link itself, which is safe, but a symlink there means someone planted it: refuse. */
function refuseSymlinkTarget(target: string): void {
	try {
		if (lstatSync(target).isSymbolicLink()) {
			throw new DistKernelError('fs.symlink', `refusing to replace a symbolic link: ${target}`, {
				hint: 'remove the link by hand after checking why it is there',
			});
		}
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
}
