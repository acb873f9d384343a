// One dracut run for the target kernel version: its own modules directory (never the running kernel's), the
// admin's staged configuration, an explicit output file in our private work directory.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { systemView } from '../../../lib/root';
import { timed } from '../../../lib/timing';
import type { RuntimeContext } from '../../context';
import { dracutConfigFiles, stageDracutConfig } from './config';

export interface DracutBuild {
	kv: string;
	/** Disk path of the kernel's modules directory (dracut --kmoddir). */
	modulesDir: string;
	workDir: string;
	/** Build a UKI (dracut --uefi) instead of a plain initramfs. */
	/** `cmdline`: replaces dracut's kernel_cmdline (undefined: dracut's own is used). */
	uki?: { stub: string; kernelImage: string; cmdline?: string | undefined } | undefined;
	/** A generic image (the rescue image): every driver, nothing detected from this machine. */
	generic?: boolean | undefined;
}

export function dracutArgs(
	ctx: Pick<RuntimeContext, 'verbose'>,
	build: DracutBuild,
	staged: { conf: string; confDir: string },
	output: string,
): string[] {
	const args = [
		'--force',
		ctx.verbose ? '--verbose' : '--quiet',
		'--conf',
		staged.conf,
		'--confdir',
		staged.confDir,
		'--tmpdir',
		build.workDir,
		'--kver',
		build.kv,
		'--kmoddir',
		build.modulesDir,
	];
	if (build.generic) args.push('--no-hostonly', '--no-hostonly-cmdline');
	if (build.uki) {
		args.push('--uefi', '--uefi-stub', build.uki.stub, '--kernel-image', build.uki.kernelImage);
		if (build.uki.cmdline !== undefined) args.push('--kernel-cmdline', build.uki.cmdline);
	} else {
		args.push('--no-uefi');
	}
	args.push(output);
	return args;
}

/** Runs dracut; returns the path of the image it wrote (inside `workDir`). Under --dry-run prints the command only. */
export function runDracut(ctx: RuntimeContext, build: DracutBuild): Promise<string> {
	return timed(build.generic ? 'dracut-rescue' : 'dracut', () => runDracutNow(ctx, build));
}

async function runDracutNow(ctx: RuntimeContext, build: DracutBuild): Promise<string> {
	const output = join(build.workDir, `${build.generic ? 'rescue-' : ''}${build.uki ? 'uki.efi' : 'initramfs.img'}`);
	const staged = stageDracutConfig(ctx, build.workDir, { replaceKernelCmdline: build.uki?.cmdline !== undefined });
	if (ctx.dryRun) {
		const files = dracutConfigFiles(ctx).map((f) => systemView(ctx.root, f));
		ctx.logger.info(
			`(dry run) dracut configuration: ${files.length > 0 ? files.join(' ') : '(none: dracut defaults)'}`,
		);
	}
	const timeout = ctx.config.dracutTimeout * 1000;
	try {
		await ctx.exec('dracut', dracutArgs(ctx, build, staged, output), {
			timeout,
			env: { TMPDIR: build.workDir },
			mutates: true,
		});
	} catch (error) {
		if (isDistKernelError(error, 'exec.not-found')) {
			throw new DistKernelError('dracut.missing', 'cannot build the initramfs: dracut is not installed', {
				hint: 'emerge sys-kernel/dracut',
				cause: error,
			});
		}
		if (isDistKernelError(error)) {
			throw new DistKernelError('dracut.failed', `dracut failed for kernel ${build.kv}`, {
				details: error.details,
				hint: "check /etc/dracut.conf and /etc/dracut.conf.d (run again with --verbose for dracut's output); the installed files were not changed",
				cause: error,
			});
		}
		throw error;
	}
	if (!ctx.dryRun) {
		let size = 0;
		try {
			size = statSync(output).size;
		} catch {
			// Reported below.
		}
		if (size === 0)
			throw new DistKernelError('dracut.no-output', `dracut produced no image for kernel ${build.kv}: ${output}`);
	}
	return output;
}
