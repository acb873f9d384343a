// `dist-kernel clean [--keep N] [--pretend]`: removes the boot files of all but the newest N kernels through the
// install backends, never the running kernel nor the default boot entry's, then their /lib/modules/KV when no
// installed package owns it; names the packages the admin should `emerge --depclean`.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { underRoot } from '../../../lib/root';
import { type KernelOnDisk, listKernelsOnDisk, MODULES_DIR } from '../../boot/files/installed-kernels';
import { runningKernel } from '../../boot/files/running-kernel';
import type { InstalledKernel } from '../../boot/files/types';
import { findDefaultEntries } from '../../boot/loaders/default-entry';
import { defaultEntryKernels } from '../../boot/loaders/default-kernel';
import type { RuntimeContext } from '../../context';
import { moduleDirOwners } from '../../portage/vdb/module-dir-owners';
import { type CleanPlan, planClean } from './plan-clean';

export interface CleanOptions {
	keep: number;
	pretend: boolean;
	/** Treat this release as the running kernel (default: $DIST_KERNEL_RUNNING_KV, else uname -r). */
	running?: string | undefined;
	/** The active backend's listing of installed kernels (`listInstalledKernels`). */
	installed: InstalledKernel[];
	/** Removes a kernel's boot files through the configured backend (the install pipeline's `removeKernel`). */
	removeKernel: (kv: string) => Promise<void>;
}

export interface CleanReport {
	plan: CleanPlan;
	/** Module directories deleted (or that would be). */
	removedModuleDirs: string[];
	/** Packages owning removed kernels' module directories: for `emerge --depclean`. */
	depclean: string[];
	/** Module directories left because they hold modules but no kernel was found for them. */
	orphans: string[];
	/** Boot files of removed kernels that the backend did not remove (another layout installed them). */
	leftBootFiles: string[];
}

function formatTime(ms: number): string {
	return new Date(ms)
		.toISOString()
		.replace('T', ' ')
		.replace(/:\d\d\.\d+Z$/, ' UTC');
}

export async function runClean(ctx: RuntimeContext, options: CleanOptions): Promise<CleanReport> {
	const { logger, root } = ctx;
	const changing = !options.pretend && !ctx.dryRun;
	const would = changing ? '' : '(pretend) would ';
	const running = runningKernel(ctx, options.running).kv;
	const onDisk = listKernelsOnDisk(root, options.installed);
	const bootable = onDisk.filter((k) => k.bootFiles.length > 0);
	const leftovers = onDisk.filter((k) => k.bootFiles.length === 0 && k.kv !== running);
	const defaults = defaultEntryKernels(
		findDefaultEntries(root),
		bootable.map((k) => k.kv),
	);
	const plan = planClean(bootable, { keep: options.keep, running, defaultEntries: [...defaults] });

	const byKv = new Map<string, KernelOnDisk>(onDisk.map((k) => [k.kv, k]));
	const lines = [`kernels by install time, newest first (keeping ${options.keep}, running ${running}):`];
	for (const k of [...bootable].sort((a, b) => b.installedAt - a.installedAt)) {
		const kept = plan.keep.find((x) => x.kv === k.kv);
		lines.push(`  ${k.kv}  ${formatTime(k.installedAt)}  ${kept ? `keep (${kept.reasons.join(', ')})` : 'remove'}`);
	}
	logger.info(lines.join('\n'));

	const candidates = [...plan.remove, ...leftovers.map((k) => k.kv)];
	const owners = moduleDirOwners(root, candidates);
	const report: CleanReport = { plan, removedModuleDirs: [], depclean: [], orphans: [], leftBootFiles: [] };

	const removeModuleDir = (kv: string) => {
		const dir = `${MODULES_DIR}/${kv}`;
		if (changing) rmSync(join(underRoot(root, MODULES_DIR), kv), { recursive: true, force: true });
		logger.info(`${would}remove ${dir}`);
		report.removedModuleDirs.push(dir);
	};

	for (const kv of plan.remove) {
		logger.info(`${would}remove the boot files of ${kv}: ${byKv.get(kv)!.bootFiles.join(' ')}`);
		if (changing) {
			await options.removeKernel(kv);
			// Files another layout put there (an older installkernel, a hand copy) are not the backend's to remove.
			const left = byKv.get(kv)!.bootFiles.filter((f) => existsSync(underRoot(root, f)));
			if (left.length > 0) {
				logger.warn(
					`the install backend left these boot files of ${kv}; remove them by hand if nothing uses them: ${left.join(' ')}`,
				);
				report.leftBootFiles.push(...left);
			}
		}
		const owning = owners.get(kv) ?? [];
		if (owning.length > 0) {
			for (const cpv of owning) if (!report.depclean.includes(cpv)) report.depclean.push(cpv);
		} else if (byKv.get(kv)!.hasModuleDir) {
			removeModuleDir(kv);
		}
	}
	for (const k of leftovers) {
		const owning = owners.get(k.kv) ?? [];
		if (owning.length > 0) continue;
		if (k.hasModules) {
			report.orphans.push(`${MODULES_DIR}/${k.kv}`);
			continue;
		}
		removeModuleDir(k.kv);
	}

	if (report.orphans.length > 0) {
		logger.warn(
			`left in place, no kernel and no package found for them but they hold modules: ${report.orphans.join(' ')}`,
		);
	}
	if (report.depclean.length > 0) {
		logger.log(
			[
				'the files of these packages stay until Portage removes them:',
				`  emerge --ask --depclean ${report.depclean
					.filter((c) => !c.includes(' '))
					.map((c) => `=${c}`)
					.join(' ')}`,
			].join('\n'),
		);
	}
	if (plan.remove.length === 0 && report.removedModuleDirs.length === 0) logger.info('nothing to clean');
	return report;
}
