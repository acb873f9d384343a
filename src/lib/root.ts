// Every system path is resolved under --root; nothing may escape it.
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { DistKernelError } from './errors';

/** `systemPath` is an absolute path on the target system ("/boot"); returns it under `root`. */
export function underRoot(root: string, systemPath: string): string {
	if (!isAbsolute(systemPath))
		throw new DistKernelError('path.relative', `expected an absolute system path, got ${systemPath}`);
	const base = resolve(root);
	const full = normalize(join(base, systemPath));
	const rel = relative(base, full);
	if (rel.startsWith('..') || isAbsolute(rel)) {
		throw new DistKernelError('path.escape', `path escapes the root ${base}: ${systemPath}`);
	}
	return full;
}

/** The inverse: a path under root shown as the target system sees it. */
export function systemView(root: string, fullPath: string): string {
	const rel = relative(resolve(root), fullPath);
	return rel === '' ? '/' : `/${rel}`;
}
