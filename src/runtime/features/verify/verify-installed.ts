// `dist-kernel verify KV`: the installed files of KV, booted under the boot lock (no install swaps them meanwhile).
import { assertKernelVersion } from '../../../lib/validate';
import { withBootLock } from '../../boot/transaction/boot-lock';
import type { RuntimeContext } from '../../context';
import { locateInstalled } from '../../images/verify/boot-target';
import { type VerifyOptions, verifyTarget } from '../../images/verify/verify-kernel';
import type { VerifyRecord } from '../../state/verify-record';

export async function verifyInstalled(
	ctx: RuntimeContext,
	kv: string,
	options: VerifyOptions = {},
): Promise<VerifyRecord | undefined> {
	assertKernelVersion(kv);
	return withBootLock(ctx, async () => verifyTarget(ctx, kv, locateInstalled(ctx, kv), options));
}
