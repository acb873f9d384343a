// The filesystem type of the root being verified for: the mount holding --root (the machine's own `/` on a
// live system), read from /proc/self/mountinfo.
import { realpathSync } from 'node:fs';
import { readTextOrUndefined } from '../../../lib/read-file';
import { mountOf, parseMountinfo } from '../../../parsers/mountinfo';
import type { RuntimeContext } from '../../context';

export interface RootMount {
	fsType: string;
	source: string;
	mountPoint: string;
}

export function detectRootMount(
	ctx: Pick<RuntimeContext, 'root'>,
	mountinfo = '/proc/self/mountinfo',
): RootMount | undefined {
	const text = readTextOrUndefined(mountinfo);
	if (text === undefined) return undefined;
	let path: string;
	try {
		path = realpathSync(ctx.root);
	} catch {
		path = ctx.root;
	}
	const entry = mountOf(parseMountinfo(text), path);
	return entry ? { fsType: entry.fsType, source: entry.source, mountPoint: entry.mountPoint } : undefined;
}
