// Completes initramfs work deferred by an emerge that is gone: run at the start of runtime commands, by doctor and
// by status. Sits above the install pipeline (which itself only asks coalesce/plan what to do).
import { isDistKernelError } from '../../../lib/errors';
import { withLock } from '../../../lib/lock';
import { underRoot } from '../../../lib/root';
import { timed } from '../../../lib/timing';
import { assertBootMounted } from '../../boot/transaction/mount-guard';
import type { RuntimeContext } from '../../context';
import { NO_COALESCE_ENV } from '../../portage/coalesce/plan';
import { isProcessAlive } from '../../portage/emerge/emerge-owner';
import { statePath } from '../../state/json-record';
import { listPending, readPending } from '../../state/pending';
import { completeDeferred } from './pipeline';

const LOCK = statePath('pending.lock');

/** Builds whatever an emerge that is gone deferred; returns the kernels whose work it completed. */
export async function completePending(ctx: RuntimeContext): Promise<string[]> {
	if (ctx.env[NO_COALESCE_ENV] === '1') return [];
	const owed = timed('pending-read', () =>
		listPending(ctx.root).filter((work) => !work.owner || !isProcessAlive(work.owner)),
	);
	if (owed.length === 0) return [];
	if (ctx.dryRun) {
		for (const work of owed) ctx.logger.info(`(dry run) would complete deferred ${work.kind} for ${work.kv}`);
		return [];
	}
	// Deferred work writes /boot too: not into an unmounted or read-only one (status and doctor only warn).
	assertBootMounted(ctx);
	const completed: string[] = [];
	await withLock(underRoot(ctx.root, LOCK), async () => {
		for (const work of owed) {
			// Another process may have completed it while we waited for the lock.
			if (!readPending(ctx.root, work.kv)) continue;
			await completeDeferred(ctx, work);
			completed.push(work.kv);
		}
	});
	return completed;
}

/** For read-only commands (status): complete what is owed, but only warn when that fails. */
export async function completePendingQuietly(ctx: RuntimeContext): Promise<void> {
	try {
		await completePending(ctx);
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		ctx.logger.warn(`completing deferred initramfs work failed: ${error.message}`);
	}
}
