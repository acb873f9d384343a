// Fault-injection points for the fault suite (`npm run faults`): with DIST_KERNEL_KILL_AT=N the process sends
// itself SIGKILL at the N-th checkpoint it reaches (after DIST_KERNEL_KILL_DELAY_MS, so a kill can land while a
// child such as dracut is running). Unset, a checkpoint costs one counter increment.
/** Environment of the fault injection: it aims at this process only, so children do not inherit it (src/lib/exec.ts). */
export const CHECKPOINT_ENV = [
	'DIST_KERNEL_KILL_AT',
	'DIST_KERNEL_KILL_DELAY_MS',
	'DIST_KERNEL_CHECKPOINT_TRACE',
] as const;

let reached = 0;
const killAt = Number(process.env['DIST_KERNEL_KILL_AT'] ?? 0);
const killDelay = Number(process.env['DIST_KERNEL_KILL_DELAY_MS'] ?? 0);
const trace = process.env['DIST_KERNEL_CHECKPOINT_TRACE'];

export function checkpoint(name: string): void {
	reached += 1;
	if (trace) process.stderr.write(`checkpoint ${reached} ${name}\n`);
	if (killAt > 0 && reached === killAt) {
		if (killDelay > 0) setTimeout(() => process.kill(process.pid, 'SIGKILL'), killDelay).unref();
		else process.kill(process.pid, 'SIGKILL');
	}
}
