// The kernel this system runs (status, clean, remove and the root-critical module check never touch it).
import { release } from 'node:os';
import { assertKernelVersion } from '../../../lib/validate';
import type { RuntimeContext } from '../../context';

/** Names the running kernel instead of `uname -r` (tests, and roots prepared for another machine). */
export const RUNNING_KV_ENV = 'DIST_KERNEL_RUNNING_KV';

export interface RunningKernel {
	kv: string;
	source: 'option' | 'environment' | 'uname';
}

export function runningKernel(ctx: Pick<RuntimeContext, 'env'>, option?: string): RunningKernel {
	if (option !== undefined) return { kv: assertKernelVersion(option, '`--running`'), source: 'option' };
	const fromEnv = ctx.env[RUNNING_KV_ENV];
	if (fromEnv) return { kv: assertKernelVersion(fromEnv, RUNNING_KV_ENV), source: 'environment' };
	return { kv: release(), source: 'uname' };
}
