// The host directories a kernel flow would write if it escaped its throw-away root: a digest of every entry (type,
// mode, owner, size, content hash or link target), compared before and after the real-Portage flows.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export const GUARDED_HOST_DIRS = ['/boot', '/lib/modules', '/usr/src', '/var/db'] as const;

function walk(path: string, out: Map<string, string>): void {
	let stat: Stats;
	try {
		stat = lstatSync(path);
	} catch {
		out.set(path, 'absent');
		return;
	}
	const head = `${stat.mode.toString(8)} ${stat.uid}:${stat.gid}`;
	if (stat.isSymbolicLink()) {
		out.set(path, `${head} -> ${readlinkSync(path)}`);
	} else if (stat.isDirectory()) {
		out.set(path, `${head} dir`);
		for (const name of readdirSync(path).sort()) walk(join(path, name), out);
	} else if (stat.isFile()) {
		out.set(path, `${head} ${stat.size} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
	} else {
		out.set(path, `${head} special ${stat.rdev}`);
	}
}

/** Entry → digest for every guarded directory (the path itself when it is a symlink, e.g. merged-usr /lib). */
export function snapshotHost(dirs: readonly string[] = GUARDED_HOST_DIRS): Map<string, string> {
	const out = new Map<string, string>();
	for (const dir of dirs) walk(dir, out);
	return out;
}

/** Human-readable differences between two snapshots (empty when identical). */
export function diffSnapshots(before: Map<string, string>, after: Map<string, string>): string[] {
	const changes: string[] = [];
	for (const [path, digest] of before) {
		const now = after.get(path);
		if (now === undefined) changes.push(`removed: ${path}`);
		else if (now !== digest) changes.push(`changed: ${path} (${digest} → ${now})`);
	}
	for (const path of after.keys()) if (!before.has(path)) changes.push(`added: ${path}`);
	return changes;
}
