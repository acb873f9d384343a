// `dist-kernel modules rebuild`: module packages with USE=-dist-kernel have no slot-operator dependency on the
// kernel, so Portage never rebuilds them for a new kernel. Rebuild the stale ones with one emerge, from source
// (a binary package would hold modules for the old kernel), in a clean environment (when run from a Portage
// phase, variables such as USE or EBUILD_PHASE must not leak into the nested emerge).
import type { RuntimeContext } from '../../context';
import { type StaleModule, scanModules } from '../../portage/vdb/scan-modules';

/** Variables passed through to emerge; everything else is dropped (PATH is added by the exec wrapper). */
const KEPT_ENV = ['HOME', 'TERM', 'LANG', 'LC_ALL', 'NOCOLOR'];

export interface RebuildPlan {
	targets: StaleModule[];
	/** Stale packages left to Portage (USE=dist-kernel): `emerge @world` rebuilds them. */
	leftToPortage: StaleModule[];
	argv: string[];
}

export function planRebuild(ctx: Pick<RuntimeContext, 'root' | 'config' | 'dryRun'>): RebuildPlan {
	const inventory = scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages, writeCache: !ctx.dryRun });
	const targets = inventory.stale.filter((s) => !s.distKernel);
	const leftToPortage = inventory.stale.filter((s) => s.distKernel);
	const argv = [
		'--oneshot',
		'--usepkg=n',
		...(ctx.root === '/' ? [] : [`--root=${ctx.root}`]),
		...targets.map((t) => `=${t.cpv}`),
	];
	return { targets, leftToPortage, argv };
}

export async function rebuildModules(ctx: RuntimeContext, options: { pretend?: boolean } = {}): Promise<RebuildPlan> {
	const plan = planRebuild(ctx);
	for (const s of plan.leftToPortage)
		ctx.logger.info(`${s.cpv} has USE=dist-kernel: emerge --update --deep @world rebuilds it`);
	if (plan.targets.length === 0) {
		ctx.logger.info('No stale module package with USE=-dist-kernel: nothing to rebuild.');
		return plan;
	}
	for (const t of plan.targets) ctx.logger.info(`stale: ${t.cpv} (${t.reasons[0] ?? 'built for another kernel'})`);
	if (options.pretend) {
		ctx.logger.info(`would run: emerge ${plan.argv.join(' ')}`);
		return plan;
	}
	const env: Record<string, string> = {};
	for (const key of KEPT_ENV) {
		const value = ctx.env[key];
		if (value !== undefined) env[key] = value;
	}
	await ctx.exec('emerge', plan.argv, { cleanEnv: true, env, mutates: true, show: true, timeout: 0 });
	return plan;
}
