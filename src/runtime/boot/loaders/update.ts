// Opt-in boot loader updates after an install or removal (`bootloaders` in dist-kernel.conf); none by default.
// Each runs only on the live system: grub-mkconfig, bootctl and efibootmgr inspect the running machine.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { timed } from '../../../lib/timing';
import type { RuntimeContext } from '../../context';
import { isLiveRoot, systemPath } from '../../context';

export interface BootloaderEvent {
	action: 'install' | 'remove';
	kv: string;
	/** System path of the installed UKI; an efibootmgr entry can only boot a self-contained image on the ESP. */
	ukiImage?: string | undefined;
	/** install.conf's layout: `grub` means grub-mkconfig runs on every install and removal, as installkernel[grub] does. */
	layout?: string | undefined;
}

async function updateGrub(ctx: RuntimeContext): Promise<void> {
	const cfg =
		['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg'].find((p) => existsSync(systemPath(ctx, p))) ??
		'/boot/grub/grub.cfg';
	await ctx.exec('grub-mkconfig', ['-o', cfg], { mutates: true, timeout: 300_000 });
}

async function updateSystemdBoot(ctx: RuntimeContext): Promise<void> {
	// Loader entries and EFI/Linux UKIs are found by systemd-boot itself; only the boot loader binary may need updating.
	await ctx.exec('bootctl', ['update', '--graceful', '--no-variables'], { mutates: true, timeout: 120_000 });
}

/** EFI paths use backslashes. */
function efiLoaderPath(espRelative: string): string {
	return espRelative.replace(/\//g, '\\');
}

async function updateEfibootmgr(ctx: RuntimeContext, event: BootloaderEvent): Promise<void> {
	const label = `Gentoo ${event.kv}`;
	const listing = await ctx.exec('efibootmgr', [], { timeout: 60_000 });
	const existing = [...listing.stdout.matchAll(/^Boot([0-9A-Fa-f]{4})\*?\s+(.*?)(?:\t|$)/gm)]
		.filter((m) => m[2]?.trim() === label)
		.map((m) => m[1]!);
	// Never touch BootOrder beyond what --create does, and never duplicate an entry.
	for (const num of existing)
		await ctx.exec('efibootmgr', ['--quiet', '--delete-bootnum', '--bootnum', num], { mutates: true, timeout: 60_000 });
	if (event.action === 'remove') return;
	if (!event.ukiImage) {
		ctx.logger.warn(
			`efibootmgr: kernel ${event.kv} is not a unified kernel image; no boot entry created (set uefi=yes in dracut)`,
		);
		return;
	}
	const mount = (
		await ctx.exec('findmnt', ['--noheadings', '--output', 'TARGET,SOURCE,FSTYPE', '--target', event.ukiImage], {
			timeout: 30_000,
		})
	).stdout
		.trim()
		.split(/\s+/);
	const [target = '/', source = '', fstype = ''] = mount;
	if (fstype !== 'vfat') {
		ctx.logger.warn(
			`efibootmgr: ${event.ukiImage} is not on an EFI system partition (${target} is ${fstype || 'unknown'}); no boot entry created`,
		);
		return;
	}
	const espRelative = `/${relative(target, event.ukiImage)}`;
	const parent = (
		await ctx.exec('lsblk', ['--noheadings', '--nodeps', '--output', 'PKNAME,PARTN', source], { timeout: 30_000 })
	).stdout
		.trim()
		.split(/\s+/);
	const [disk, part] = parent;
	if (!disk || !part)
		throw new DistKernelError('bootloader.esp', `cannot find the disk and partition of the ESP: ${target} (${source})`);
	await ctx.exec(
		'efibootmgr',
		[
			'--quiet',
			'--create',
			'--disk',
			`/dev/${disk}`,
			'--part',
			part,
			'--label',
			label,
			'--loader',
			efiLoaderPath(espRelative),
		],
		{
			mutates: true,
			timeout: 60_000,
		},
	);
}

export function updateBootloaders(ctx: RuntimeContext, event: BootloaderEvent): Promise<void> {
	return timed('bootloaders', () => updateBootloadersNow(ctx, event));
}

async function updateBootloadersNow(ctx: RuntimeContext, event: BootloaderEvent): Promise<void> {
	const loaders =
		event.layout === 'grub' && !ctx.config.bootloaders.includes('grub')
			? ['grub' as const, ...ctx.config.bootloaders]
			: ctx.config.bootloaders;
	if (loaders.length === 0) return;
	if (!isLiveRoot(ctx)) {
		ctx.logger.warn(
			`boot loader updates (${loaders.join(', ')}) skipped: they only run on the live system, not under --root ${ctx.root}`,
		);
		return;
	}
	for (const loader of loaders) {
		const end = ctx.logger.begin(`Updating ${loader}`);
		try {
			if (loader === 'grub') await updateGrub(ctx);
			else if (loader === 'systemd-boot') await updateSystemdBoot(ctx);
			else await updateEfibootmgr(ctx, event);
			end(true);
		} catch (error) {
			end(false);
			// The kernel is installed; a boot loader refresh failing must not undo that, but the admin must know.
			if (!isDistKernelError(error)) throw error;
			ctx.logger.warn(
				`${loader} update failed: ${error.message}\nrun it by hand after fixing the cause; the kernel files are installed`,
			);
		}
	}
}
