// Where a runtime call spends its time, for the bench's per-phase breakdown of an emerge (bench/measure/
// dracut-runs.ts): with $DIST_KERNEL_TIMINGS naming a file, each timed step appends one line
// "<epoch ms at its start> <pid> <label> <ms>" to it (a file of its own: the runtime's output, verbose or not, stays
// what it was). Unset, a timed step costs one check.
import { appendFileSync } from 'node:fs';

export const TIMINGS_ENV = 'DIST_KERNEL_TIMINGS';

/** Records a step that started at `start` (performance.now()) and took `ms`. */
export function recordTiming(label: string, ms: number, start = performance.now() - ms): void {
	const file = process.env[TIMINGS_ENV];
	if (!file) return;
	try {
		appendFileSync(file, `${(performance.timeOrigin + start).toFixed(1)} ${process.pid} ${label} ${ms.toFixed(1)}\n`);
	} catch {
		// Diagnostics only: never a reason to fail.
	}
}

/** Runs `fn` (sync or async) and records how long it took under `label`. */
export function timed<T>(label: string, fn: () => T): T {
	if (!process.env[TIMINGS_ENV]) return fn();
	const start = performance.now();
	const result = fn();
	if (result instanceof Promise)
		return result.finally(() => recordTiming(label, performance.now() - start, start)) as T;
	recordTiming(label, performance.now() - start, start);
	return result;
}
