// Everything `dist-kernel status` shows, gathered read-only: kernels (VDB + /lib/modules), what each has in the
// boot partitions, the running kernel, default boot entries, module packages and the stale ones, pending work.
import { release } from 'node:os';
import { assertKernelVersion } from '../../lib/validate';
import { listPending, type PendingWork } from '../coalesce/pending-state';
import type { RuntimeContext } from '../context';
import { scanModules, type ModulePackageInfo, type StaleModule } from '../modules/scan-modules';
import { findBootFiles } from './boot-files';
import { findDefaultEntries, type DefaultEntry } from './default-entry';

export const RUNNING_KV_ENV = 'DIST_KERNEL_RUNNING_KV';

export interface KernelStatus {
	kv: string;
	cpv?: string;
	version?: string;
	newest: boolean;
	running: boolean;
	modulesDir: boolean;
	/** Boot files by kind; `emptyInitrds` are zero-byte initramfs files (the placeholder beside a UKI). */
	boot: { kernels: string[]; initrds: string[]; ukis: string[]; emptyInitrds: string[] };
	pending?: PendingWork['kind'];
}

export interface StatusReport {
	root: string;
	running: { kv: string; source: 'option' | 'environment' | 'uname' };
	kernels: KernelStatus[];
	virtualVersion?: string;
	defaultEntries: DefaultEntry[];
	modules: ModulePackageInfo[];
	stale: StaleModule[];
	pending: PendingWork[];
	broken: Array<{ cpv: string; error: string }>;
}

export function runningKernel(ctx: Pick<RuntimeContext, 'env'>, option?: string): StatusReport['running'] {
	if (option !== undefined) return { kv: assertKernelVersion(option, '`--running`'), source: 'option' };
	const fromEnv = ctx.env[RUNNING_KV_ENV];
	if (fromEnv) return { kv: assertKernelVersion(fromEnv, RUNNING_KV_ENV), source: 'environment' };
	return { kv: release(), source: 'uname' };
}

export function collectStatus(ctx: Pick<RuntimeContext, 'root' | 'env' | 'config' | 'dryRun'>, options: { running?: string } = {}): StatusReport {
	const running = runningKernel(ctx, options.running);
	const inventory = scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages, writeCache: !ctx.dryRun });
	const pending = listPending(ctx.root);
	const kernels: KernelStatus[] = inventory.kernels.map((kernel) => {
		const files = findBootFiles(ctx.root, kernel.kv);
		const owed = pending.find((p) => p.kv === kernel.kv);
		return {
			kv: kernel.kv,
			...(kernel.cpv ? { cpv: kernel.cpv } : {}),
			...(kernel.version ? { version: kernel.version } : {}),
			newest: inventory.newest?.kv === kernel.kv,
			running: running.kv === kernel.kv,
			modulesDir: kernel.modulesDir,
			boot: {
				kernels: files.kernels.map((f) => f.path),
				initrds: files.initrds.map((f) => f.path),
				ukis: files.ukis.map((f) => f.path),
				emptyInitrds: files.initrds.filter((f) => f.size === 0).map((f) => f.path),
			},
			...(owed ? { pending: owed.kind } : {}),
		};
	});
	return {
		root: ctx.root,
		running,
		kernels,
		...(inventory.virtualVersion ? { virtualVersion: inventory.virtualVersion } : {}),
		defaultEntries: findDefaultEntries(ctx.root),
		modules: inventory.modules,
		stale: inventory.stale,
		pending,
		broken: inventory.broken.map((b) => ({ cpv: b.cpv, error: b.error.message })),
	};
}
