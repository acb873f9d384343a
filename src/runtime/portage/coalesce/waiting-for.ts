// What a request for kernel KV inside an emerge has to wait for: the packages still to merge that will ask for the
// same kernel (askers.ts), and the packages still to merge that install a module the root file system needs and
// that KV lacks (root-modules/root-critical.ts): an image built before them could not mount root.

import { timed } from '../../../lib/timing';
import type { MergeListItem } from '../../../parsers/mtimedb';
import type { RuntimeContext } from '../../context';
import { missingRootModules, type RootCriticalModule, rootCriticalModules } from '../root-modules/root-critical';
import type { ModuleInventory } from '../vdb/scan-modules';
import { laterAskersFor, moduleTarget } from './askers';

export interface Waiting {
	/** Package keys to wait for, askers first. */
	keys: string[];
	/** Root-critical modules KV lacks. */
	missingRoot: RootCriticalModule[];
	/** Their providers still to merge (also in `keys`). */
	rootProviders: string[];
}

export function waitingFor(
	ctx: RuntimeContext,
	kv: string,
	others: readonly MergeListItem[],
	list: readonly MergeListItem[],
	inventory: ModuleInventory,
): Promise<Waiting> {
	return timed('waiting-for', () => waitingForNow(ctx, kv, others, list, inventory));
}

async function waitingForNow(
	ctx: RuntimeContext,
	kv: string,
	others: readonly MergeListItem[],
	list: readonly MergeListItem[],
	inventory: ModuleInventory,
): Promise<Waiting> {
	const keys = laterAskersFor(kv, others, list, inventory, ctx.config.kernelPackages);
	const missingRoot = missingRootModules(ctx.root, kv, await rootCriticalModules(ctx, inventory, kv));
	// A provider still to merge helps only if it is rebuilt for this kernel.
	const later = new Set(others.map((item) => item.cpv.key));
	const rebuildsFor = moduleTarget(list, inventory);
	const buildsForKv = (key: string) => inventory.modules.some((m) => m.key === key && rebuildsFor(m) === kv);
	const rootProviders = [
		...new Set(
			missingRoot.map((m) => m.provider).filter((p): p is string => p !== undefined && later.has(p) && buildsForKv(p)),
		),
	];
	for (const p of rootProviders) if (!keys.includes(p)) keys.push(p);
	return { keys, missingRoot, rootProviders };
}
