// `dist-kernel verify KV`: the installed files of KV, booted under the boot lock (no install swaps them meanwhile).
import { assertKernelVersion } from '../../lib/validate';
import type { RuntimeContext } from '../context';
import { withBootLock } from '../install/lock';
import { locateInstalled } from './boot-target';
import { verifyTarget, type VerifyOptions } from './verify-kernel';
import type { VerifyRecord } from './verify-state';

export async function verifyInstalled(ctx: RuntimeContext, kv: string, options: VerifyOptions = {}): Promise<VerifyRecord | undefined> {
	assertKernelVersion(kv);
	return withBootLock(ctx, async () => verifyTarget(ctx, kv, locateInstalled(ctx, kv), options));
}
