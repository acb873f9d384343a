// Which kernels `dist-kernel clean` keeps and which it removes. Pure: the caller gathers the facts.
// Rule: keep the newest N by install time, and always the running kernel and the default boot entry's kernel.

export interface CleanCandidate {
	kv: string;
	/** Install time in ms since the epoch (newest wins ties by version order given by the caller). */
	installedAt: number;
}

export type KeepReason = 'newest' | 'running' | 'default boot entry';

export interface CleanPlan {
	keep: { kv: string; reasons: KeepReason[] }[];
	remove: string[];
}

export interface CleanPolicy {
	keep: number;
	running?: string | undefined;
	/** Kernels a boot loader's default entry boots (several boot loaders may each name one). */
	defaultEntries?: readonly string[];
}

export function planClean(kernels: readonly CleanCandidate[], policy: CleanPolicy): CleanPlan {
	const newestFirst = [...kernels].sort(
		(a, b) => b.installedAt - a.installedAt || (a.kv < b.kv ? 1 : a.kv > b.kv ? -1 : 0),
	);
	const keep: CleanPlan['keep'] = [];
	const remove: string[] = [];
	for (const [index, kernel] of newestFirst.entries()) {
		const reasons: KeepReason[] = [];
		if (index < policy.keep) reasons.push('newest');
		if (kernel.kv === policy.running) reasons.push('running');
		if (policy.defaultEntries?.includes(kernel.kv)) reasons.push('default boot entry');
		if (reasons.length > 0) keep.push({ kv: kernel.kv, reasons });
		else remove.push(kernel.kv);
	}
	return { keep, remove };
}
