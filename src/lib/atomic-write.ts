// Files are replaced, never rewritten in place: temp name in the same directory, fsync, rename, fsync dir.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkpoint } from './checkpoint';
import { DistKernelError } from './errors';
import { timed } from './timing';

export interface AtomicWriteOptions {
	/** File mode (default 0o644). */
	mode?: number;
	/** fsync the file and its directory (default true). Only for files that can be regenerated at will. */
	durable?: boolean;
}

export function tempNameFor(target: string): string {
	return join(dirname(target), `.${basename(target)}.dk-${randomBytes(4).toString('hex')}.tmp`);
}

export function fsyncDir(dir: string): void {
	let fd: number | undefined;
	try {
		fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
		const dirFd = fd;
		timed('fsync', () => fsyncSync(dirFd));
	} catch {
		// Some filesystems (vfat on old kernels) refuse fsync on a directory: the rename is still atomic.
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** A file written and fsynced under a temp name beside its target, not yet in place. */
export interface StagedFile {
	target: string;
	temp: string;
	/** Rename into place (refusing a symlink target) and fsync the directory. */
	commit(): void;
	/** Remove the temp file. */
	discard(): void;
}

function writeError(target: string, error: unknown): DistKernelError {
	if (error instanceof DistKernelError) return error;
	const err = error as NodeJS.ErrnoException;
	if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
		return new DistKernelError('fs.no-space', `no space left while writing: ${target}`, {
			hint: 'free space on that filesystem (e.g. `dist-kernel clean`) and run again; the previous file is unchanged',
			cause: error,
		});
	}
	return new DistKernelError('fs.write', `cannot write: ${target} (${err.code ?? err.message})`, { cause: error });
}

function unlinkQuiet(path: string): void {
	try {
		unlinkSync(path);
	} catch {
		// Nothing was created.
	}
}

/**
 * First half of an atomic write: the data goes to a temp file (O_EXCL|O_NOFOLLOW, so a planted symlink is never
 * followed) and is fsynced. Staging a whole set before renaming any of it keeps the window where /boot holds a
 * mix down to a few renames.
 */
export function stageFile(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): StagedFile {
	const temp = tempNameFor(target);
	const buffer = typeof data === 'string' ? Buffer.from(data) : data;
	let fd: number | undefined;
	try {
		fd = openSync(
			temp,
			constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
			options.mode ?? 0o644,
		);
		checkpoint(`write.open ${target}`);
		let offset = 0;
		while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
		checkpoint(`write.data ${target}`);
		const fileFd = fd;
		if (options.durable !== false) timed('fsync', () => fsyncSync(fileFd));
		closeSync(fd);
		fd = undefined;
	} catch (error) {
		if (fd !== undefined) closeSync(fd);
		unlinkQuiet(temp);
		throw writeError(target, error);
	}
	return {
		target,
		temp,
		commit: () => {
			try {
				refuseSymlinkTarget(target);
				checkpoint(`write.rename ${target}`);
				renameSync(temp, target);
				if (options.durable !== false) fsyncDir(dirname(target));
				checkpoint(`write.done ${target}`);
			} catch (error) {
				unlinkQuiet(temp);
				throw writeError(target, error);
			}
		},
		discard: () => unlinkQuiet(temp),
	};
}

/** Write `data` to `target` atomically: temp file, fsync, rename, fsync of the directory. */
export function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
	stageFile(target, data, options).commit();
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
