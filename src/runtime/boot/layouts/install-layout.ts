// One kernel's boot files in the layout in force, for the backends that write files themselves (built-in and
// installkernel): the plan from layout-plan.ts, sources from the built artifacts, the BLS entry text, microcode.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';
import { isLiveRoot, systemPath } from '../../context';
import type { KernelArtifacts } from '../files/types';
import { inChroot } from '../settings/in-chroot';
import { readKernelCmdline } from '../settings/kernel-cmdline';
import type { BootTransaction } from '../transaction/transaction';
import { type LayoutPlan, planLayout, type Source } from './layout-plan';
import { loaderEntryText } from './loader-entry';
import type { ResolvedLayout } from './resolve-layout';
import { type PlaceDirs, writeLayout } from './write-layout';

const MICROCODE = ['intel', 'amd'] as const;

export function placeDirs(resolved: ResolvedLayout): PlaceDirs {
	return { boot: resolved.places.boot, esp: resolved.places.esp, bootRoot: resolved.places.bootRoot };
}

export function planFor(
	ctx: Pick<RuntimeContext, 'root'>,
	resolved: ResolvedLayout,
	artifacts: KernelArtifacts,
): LayoutPlan {
	// installkernel copies /boot/{intel,amd}-uc.img along only where the boot loader cannot reach /boot (efistub).
	const microcode =
		resolved.layout === 'efistub' ? MICROCODE.filter((cpu) => existsSync(systemPath(ctx, `/boot/${cpu}-uc.img`))) : [];
	return planLayout(resolved.layout, resolved.names, {
		initrd: artifacts.initrd !== undefined,
		uki: artifacts.uki,
		systemMap: artifacts.systemMap !== undefined,
		config: artifacts.config !== undefined,
		microcode,
	});
}

/** The entry directory as the boot loader sees it: relative to the mount point of BOOT_ROOT (the root's / at most). */
export function loaderPath(ctx: Pick<RuntimeContext, 'root'>, bootRoot: string, parts: readonly string[]): string {
	const join = (base: string) => `/${[...base.split('/'), ...parts].filter(Boolean).join('/')}`;
	const disk = systemPath(ctx, bootRoot);
	if (!existsSync(disk)) return join(bootRoot);
	const rootReal = realpathSync(ctx.root);
	const real = realpathSync(disk);
	const dev = statSync(real).dev;
	let mount = real;
	while (mount !== rootReal && mount !== '/' && statSync(dirname(mount)).dev === dev) mount = dirname(mount);
	return join(relative(mount, real));
}

/** systemd's 90-loaderentry: /etc/kernel/cmdline, /usr/lib/kernel/cmdline, else the running system's /proc/cmdline. */
export function blsOptions(ctx: Pick<RuntimeContext, 'root'>): string {
	const configured = readKernelCmdline(ctx);
	if (configured) return configured.value;
	if (isLiveRoot(ctx) && !inChroot()) {
		return readFileSync('/proc/cmdline', 'utf8')
			.split(/\s+/)
			.filter((arg) => arg && !arg.startsWith('BOOT_IMAGE=') && !arg.startsWith('initrd='))
			.join(' ');
	}
	throw new DistKernelError(
		'chroot.cmdline',
		'no kernel command line for the boot entry: /etc/kernel/cmdline is missing, and this is not the running system',
		{
			hint: "write the command line the installed system boots with (e.g. root=UUID=… ro) into /etc/kernel/cmdline; the build host's /proc/cmdline would be wrong",
		},
	);
}

export function installLayout(
	ctx: RuntimeContext,
	t: BootTransaction,
	resolved: ResolvedLayout,
	artifacts: KernelArtifacts,
): string[] {
	const kv = artifacts.kv;
	let plan = planFor(ctx, resolved, artifacts);
	const places = placeDirs(resolved);
	// A plain initramfs refresh leaves an installed kernel alone; a UKI is the image, so it is rewritten.
	if (artifacts.initrdOnly && !artifacts.uki) {
		const image = plan.files.find((f) => f.from === 'image')!;
		const base = places[image.place];
		const imagePath = base
			? systemPath(ctx, [base, ...image.dir, image.fixedName ?? `${image.stem}-${kv}${image.suffix ?? ''}`].join('/'))
			: undefined;
		if (imagePath && existsSync(imagePath))
			plan = { layout: plan.layout, files: plan.files.filter((f) => f.from === 'initrd') };
	}
	const files: Partial<Record<Source, string>> = { image: artifacts.image };
	if (artifacts.initrd) files.initrd = artifacts.initrd;
	if (artifacts.systemMap) files.systemMap = artifacts.systemMap;
	if (artifacts.config) files.config = artifacts.config;
	for (const cpu of MICROCODE) files[`microcode-${cpu}`] = systemPath(ctx, `/boot/${cpu}-uc.img`);
	let entryText: string | undefined;
	if (plan.entry) {
		const entryDir = loaderPath(ctx, resolved.places.bootRoot, plan.entry.entryDir);
		entryText = loaderEntryText({
			kv,
			prettyName: resolved.osRelease['PRETTY_NAME'],
			machineId: resolved.machineId,
			entryToken: resolved.names.entryToken,
			sortKey: resolved.osRelease['IMAGE_ID'] || resolved.osRelease['ID'],
			options: blsOptions(ctx),
			entryDir,
			initrds: plan.files.some((f) => f.from === 'initrd') ? ['initrd'] : [],
		});
	}
	return writeLayout(ctx, t, plan, places, kv, { files, ...(entryText !== undefined ? { entryText } : {}) });
}
