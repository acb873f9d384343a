// What the last rescue image was built from (/var/lib/dist-kernel/rescue.json): the kernel version, the layout
// and its files (system paths). It is rebuilt when the newest kernel or the layout changes, or a file is gone.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-write';
import { isKernelVersion } from '../../lib/validate';
import type { RuntimeContext } from '../context';
import { systemPath } from '../context';
import { RESCUE_STATE } from '../images/rescue/rescue-plan';

export interface RescueState {
	kv: string;
	layout: string;
	files: string[];
	builtAt: string;
}

export function readRescueState(ctx: Pick<RuntimeContext, 'root'>): RescueState | undefined {
	try {
		const data = JSON.parse(readFileSync(systemPath(ctx, RESCUE_STATE), 'utf8')) as Partial<RescueState>;
		if (typeof data.kv !== 'string' || !isKernelVersion(data.kv) || typeof data.layout !== 'string' || !Array.isArray(data.files)) return undefined;
		const files = data.files.filter((f): f is string => typeof f === 'string' && f.startsWith('/') && !f.split('/').includes('..'));
		return { kv: data.kv, layout: data.layout, files, builtAt: typeof data.builtAt === 'string' ? data.builtAt : '' };
	} catch {
		return undefined;
	}
}

export function rescueFilesPresent(ctx: Pick<RuntimeContext, 'root'>, state: RescueState): boolean {
	return state.files.length > 0 && state.files.every((f) => existsSync(systemPath(ctx, f)));
}

export function writeRescueState(ctx: Pick<RuntimeContext, 'root'>, state: RescueState): void {
	const path = systemPath(ctx, RESCUE_STATE);
	mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
	writeFileAtomic(path, `${JSON.stringify(state, null, '\t')}\n`, { mode: 0o644 });
}
