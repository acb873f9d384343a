// `clean` on temp roots with the real backend listing and removal (built-in backend, classic /boot names).
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { listInstalledKernels } from '../../src/runtime/boot/backends/select';
import type { RuntimeContext } from '../../src/runtime/context';
import { runClean } from '../../src/runtime/features/clean/run-clean';
import { removeKernel } from '../../src/runtime/features/install/remove-kernel';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { writeKernel, writeModulePackage } from '../modules/vdb-builder';

function context(temp: TempRoot, env: NodeJS.ProcessEnv = {}, dryRun = false) {
	const logger = createMemoryLogger();
	const ctx: RuntimeContext = {
		root: temp.root,
		dryRun,
		verbose: false,
		logger,
		exec: createExec({ logger, dryRun }),
		env,
		config: configSchema.parse({ installBackend: 'builtin' }),
	};
	return Object.assign(ctx, { logger });
}

/** A kernel as the built-in backend installs it, at install time `t` (seconds). */
function installedKernel(temp: TempRoot, kv: string, t: number, withModules = true): void {
	for (const name of [`vmlinuz-${kv}`, `initramfs-${kv}.img`, `System.map-${kv}`, `config-${kv}`]) {
		const path = temp.write(`/boot/${name}`, `${name}\n`);
		utimesSync(path, t, t);
	}
	if (withModules) temp.write(`/lib/modules/${kv}/kernel/fs/ext4/ext4.ko.xz`, 'module');
}

async function clean(temp: TempRoot, options: { keep: number; pretend?: boolean; running: string; dryRun?: boolean }) {
	const ctx = context(temp, { DIST_KERNEL_RUNNING_KV: options.running }, options.dryRun);
	const report = await runClean(ctx, {
		keep: options.keep,
		pretend: options.pretend ?? false,
		installed: await listInstalledKernels(ctx),
		removeKernel: async (kv) => void (await removeKernel(ctx, kv)),
	});
	return { report, output: ctx.logger.lines.join('\n') };
}

describe('dist-kernel clean', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	it('removes all but the newest N by install time, with their unowned module directories', async () => {
		temp = makeTempRoot('dk-clean-');
		installedKernel(temp, '6.12.7-dist', 1_700_000_100);
		installedKernel(temp, '6.12.9-dist', 1_700_000_300);
		installedKernel(temp, '6.12.8-dist', 1_700_000_200);
		const { report, output } = await clean(temp, { keep: 2, running: '6.12.9-dist' });
		expect(report.plan.remove).toEqual(['6.12.7-dist']);
		expect(
			readdirSync(temp.path('/boot'))
				.filter((n) => !n.startsWith('.'))
				.sort(),
		).toEqual([
			'System.map-6.12.8-dist',
			'System.map-6.12.9-dist',
			'config-6.12.8-dist',
			'config-6.12.9-dist',
			'initramfs-6.12.8-dist.img',
			'initramfs-6.12.9-dist.img',
			'vmlinuz-6.12.8-dist',
			'vmlinuz-6.12.9-dist',
		]);
		expect(readdirSync(temp.path('/lib/modules')).sort()).toEqual(['6.12.8-dist', '6.12.9-dist']);
		expect(output).toMatch(/6\.12\.9-dist {2}2023-11-14 22:18 UTC {2}keep \(newest, running\)/);
		expect(output).toContain('6.12.7-dist  2023-11-14 22:15 UTC  remove');
	});

	it('never removes the running kernel nor the default entry, even when older than N', async () => {
		temp = makeTempRoot('dk-clean-');
		installedKernel(temp, '6.6.60-dist', 1_700_000_000);
		installedKernel(temp, '6.12.7-dist', 1_700_000_100);
		installedKernel(temp, '6.12.8-dist', 1_700_000_200);
		installedKernel(temp, '6.12.9-dist', 1_700_000_300);
		temp.write('/boot/loader/loader.conf', 'timeout 3\ndefault gentoo-6.12.7-dist.conf\n');
		const { report } = await clean(temp, { keep: 1, running: '6.6.60-dist' });
		expect(report.plan.remove).toEqual(['6.12.8-dist']);
		expect(existsSync(temp.path('/boot/vmlinuz-6.6.60-dist'))).toBe(true);
		expect(existsSync(temp.path('/boot/vmlinuz-6.12.7-dist'))).toBe(true);
		expect(existsSync(temp.path('/boot/vmlinuz-6.12.8-dist'))).toBe(false);
	});

	it('leaves module directories owned by a package and names it for emerge --depclean', async () => {
		temp = makeTempRoot('dk-clean-');
		const oldKv = writeKernel(temp.root, '6.12.7');
		writeModulePackage(temp.root, 'sys-fs/zfs-kmod-2.2.7', oldKv);
		installedKernel(temp, oldKv, 1_700_000_100, false);
		installedKernel(temp, '6.12.9-gentoo-dist', 1_700_000_300);
		const { report, output } = await clean(temp, { keep: 1, running: '6.12.9-gentoo-dist' });
		expect(report.plan.remove).toEqual([oldKv]);
		expect(existsSync(temp.path(`/boot/vmlinuz-${oldKv}`))).toBe(false);
		expect(existsSync(temp.path(`/lib/modules/${oldKv}`))).toBe(true);
		expect(report.depclean).toEqual(['sys-fs/zfs-kmod-2.2.7', 'sys-kernel/gentoo-kernel-6.12.7']);
		expect(output).toContain('emerge --ask --depclean =sys-fs/zfs-kmod-2.2.7 =sys-kernel/gentoo-kernel-6.12.7');
	});

	it('removes module-less leftovers of kernels long gone, keeps unknown directories that hold modules', async () => {
		temp = makeTempRoot('dk-clean-');
		installedKernel(temp, '6.12.9-dist', 1_700_000_300);
		temp.write('/lib/modules/6.1.1-dist/modules.dep', '');
		temp.write('/lib/modules/6.1.2-custom/kernel/drivers/x.ko', 'module');
		const { report, output } = await clean(temp, { keep: 2, running: '6.12.9-dist' });
		expect(report.removedModuleDirs).toEqual(['/lib/modules/6.1.1-dist']);
		expect(report.orphans).toEqual(['/lib/modules/6.1.2-custom']);
		expect(existsSync(temp.path('/lib/modules/6.1.2-custom/kernel/drivers/x.ko'))).toBe(true);
		expect(output).toContain('left in place');
	});

	it('says which boot files of a removed kernel the backend left (another layout installed them)', async () => {
		temp = makeTempRoot('dk-clean-');
		installedKernel(temp, '6.12.7-dist', 1_700_000_100);
		installedKernel(temp, '6.12.9-dist', 1_700_000_300);
		const stray = temp.write('/efi/EFI/Gentoo/vmlinuz-6.12.7-dist.efi', 'efistub kernel');
		utimesSync(stray, 1_700_000_100, 1_700_000_100);
		const { report, output } = await clean(temp, { keep: 1, running: '6.12.9-dist' });
		expect(report.plan.remove).toEqual(['6.12.7-dist']);
		expect(existsSync(temp.path('/boot/vmlinuz-6.12.7-dist'))).toBe(false);
		expect(report.leftBootFiles).toEqual(['/efi/EFI/Gentoo/vmlinuz-6.12.7-dist.efi']);
		expect(output).toContain('the install backend left these boot files of 6.12.7-dist');
	});

	it('--pretend and --dry-run only show the plan', async () => {
		temp = makeTempRoot('dk-clean-');
		installedKernel(temp, '6.12.7-dist', 1_700_000_100);
		installedKernel(temp, '6.12.9-dist', 1_700_000_300);
		for (const flags of [{ pretend: true }, { dryRun: true }]) {
			const { report, output } = await clean(temp, { keep: 1, running: '6.12.9-dist', ...flags });
			expect(report.plan.remove).toEqual(['6.12.7-dist']);
			expect(output).toContain('(pretend) would remove the boot files of 6.12.7-dist');
			expect(existsSync(temp.path('/boot/vmlinuz-6.12.7-dist'))).toBe(true);
			expect(existsSync(temp.path('/lib/modules/6.12.7-dist'))).toBe(true);
		}
	});
});
