// Real small filesystems for /boot: a size-limited tmpfs, or a loop-mounted ext2 or vfat image. Every mount is undone
// by `unmountAll` (call it in a finally), also after a failure half-way.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from './run-process';

const mounted: string[] = [];

export type BootFs = 'tmpfs' | 'ext2' | 'vfat';

/** Whether the running kernel can mount this filesystem type (a container's kernel may lack vfat). */
export function kernelSupports(kind: BootFs): boolean {
	try {
		return readFileSync('/proc/filesystems', 'utf8')
			.split('\n')
			.some((line) => line.trim().split(/\s+/).pop() === kind);
	} catch {
		return false;
	}
}

export function mountSmallFs(kind: BootFs, mountPoint: string, sizeBytes: number, imageDir: string): void {
	mkdirSync(mountPoint, { recursive: true });
	if (kind === 'tmpfs') {
		runChecked('mount', [
			'-t',
			'tmpfs',
			'-o',
			`size=${Math.ceil(sizeBytes / 4096) * 4096},mode=0755`,
			'dk-bench',
			mountPoint,
		]);
	} else {
		const image = join(imageDir, `${kind}-${mounted.length}.img`);
		rmSync(image, { force: true });
		runChecked('truncate', ['-s', String(sizeBytes), image]);
		if (kind === 'vfat') runChecked('mkfs.vfat', ['-F', '32', '-n', 'DKBOOT', image]);
		else runChecked('mkfs.ext2', ['-F', '-q', '-m', '0', '-L', 'dkboot', image]);
		runChecked('mount', ['-o', 'loop', '-t', kind, image, mountPoint]);
	}
	mounted.push(mountPoint);
}

export function unmount(mountPoint: string): void {
	const at = mounted.lastIndexOf(mountPoint);
	if (at < 0) return;
	mounted.splice(at, 1);
	runChecked('umount', [mountPoint]);
}

export function unmountAll(): string[] {
	const errors: string[] = [];
	while (mounted.length > 0) {
		const point = mounted.pop()!;
		try {
			runChecked('umount', [point]);
		} catch {
			try {
				runChecked('umount', ['-l', point]);
			} catch (error) {
				errors.push(`${point}: ${String(error)}`);
			}
		}
	}
	return errors;
}

export function freeBytes(path: string): number {
	const st = statfsSync(path);
	return st.bavail * st.bsize;
}

/** Fills the filesystem at `dir` until about `leaveFree` bytes remain (a file named .fill). */
export function fillUntilFree(dir: string, leaveFree: number): void {
	const file = join(dir, '.fill');
	rmSync(file, { force: true });
	const fd = openSync(file, 'w');
	try {
		const chunk = Buffer.alloc(64 * 1024, 0x5a);
		for (;;) {
			const free = freeBytes(dir);
			const want = free - leaveFree;
			if (want <= 0) break;
			try {
				writeSync(fd, chunk, 0, Math.min(chunk.length, want));
			} catch {
				break;
			}
		}
	} finally {
		closeSync(fd);
	}
}

/** Whether this machine lets us mount (root, not a locked-down container). */
export function canMount(scratch: string): boolean {
	const point = join(scratch, 'probe');
	try {
		mountSmallFs('tmpfs', point, 1 << 20, scratch);
		unmount(point);
		return true;
	} catch {
		return false;
	}
}
