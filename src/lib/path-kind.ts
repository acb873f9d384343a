// What a path is, following symlinks, with "missing or unreadable" as false: the one place for these stat checks.
import { statSync } from 'node:fs';

/** True when path is (or links to) a regular file. */
export function isFile(path: string): boolean {
	return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** True when path is (or links to) a directory. */
export function isDirectory(path: string): boolean {
	return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
