// One lock for every run that changes boot files, under the root so --root trees do not block each other.
import { withLock } from '../../../lib/lock';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import { recoverBootTransaction } from './transaction';

export const LOCK_PATH = '/run/lock/dist-kernel.lock';

/** Runs `fn` holding the lock, after finishing whatever an interrupted run left in /boot. Dry runs take no lock. */
export async function withBootLock<T>(ctx: RuntimeContext, fn: () => Promise<T>): Promise<T> {
	if (ctx.dryRun) {
		recoverBootTransaction(ctx);
		return fn();
	}
	return withLock(
		systemPath(ctx, LOCK_PATH),
		async () => {
			recoverBootTransaction(ctx);
			return fn();
		},
		{ onWait: (holder) => ctx.logger.info(`waiting for another dist-kernel run (pid ${holder}) to finish ...`) },
	);
}
