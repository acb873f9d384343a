// installkernel's 05-check-chroot asks whether / is PID 1's root: the chroot guard (images) and the BLS entry's
// command line (layouts) both need the answer.
import { statSync } from 'node:fs';

/** True when / is not PID 1's root (what 05-check-chroot compares); false when that cannot be read. */
export function inChroot(): boolean {
	try {
		const own = statSync('/');
		const init = statSync('/proc/1/root/.');
		return own.dev !== init.dev || own.ino !== init.ino;
	} catch {
		return false;
	}
}
