// What the built-in and installkernel backends share: check the layout before anything is built, install its
// files as one transaction, remove a version's files from every layout, list installed versions.

import { existsSync } from 'node:fs';
import { systemView } from '../../../lib/root';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import type { BackendName, InstalledKernel, KernelArtifacts } from '../files/types';
import { writeInstallLog, writesOwnLog } from '../install-log/write-install-log';
import { BootTransaction } from '../transaction/transaction';
import { blsOptions, installLayout, placeDirs, planFor } from './install-layout';
import { layoutFilesOf, listLayoutKernels } from './installed-files';
import { fileName, type PlannedFile, planLayout } from './layout-plan';
import { type ResolvedLayout, resolveLayout } from './resolve-layout';

/** Fails (typed) when the layout cannot be honoured: unknown, `other`, no ESP for uki/efistub, bad names. */
export async function checkLayout(ctx: RuntimeContext, kv: string): Promise<ResolvedLayout> {
	const resolved = await resolveLayout(ctx, kv);
	planLayout(resolved.layout, resolved.names, {
		initrd: true,
		uki: true,
		systemMap: true,
		config: true,
		microcode: [],
	});
	// The entry's command line (or the chroot refusal) before any image is built.
	if (resolved.layout === 'bls') blsOptions(ctx);
	return resolved;
}

/** System paths of the installed image and initramfs and the boot root they are under (for the install log). */
export function installedPaths(
	ctx: Pick<RuntimeContext, 'root'>,
	resolved: ResolvedLayout,
	artifacts: KernelArtifacts,
): { bootRoot: string; image: string; initrd: string | undefined } {
	const plan = planFor(ctx, resolved, artifacts);
	const at = (file: PlannedFile) => {
		const base = placeDirs(resolved)[file.place] ?? '/boot';
		return { base, path: [base, ...file.dir, fileName(file, artifacts.kv)].join('/').replace(/\/+/g, '/') };
	};
	const image = at(plan.files.find((f) => f.from === 'image')!);
	const initrd = plan.files.find((f) => f.from === 'initrd');
	return { bootRoot: image.base, image: image.path, initrd: initrd ? at(initrd).path : undefined };
}

function logRecord(resolved: ResolvedLayout, kv: string, vendor: string, plugins: readonly string[]) {
	return {
		vendor,
		kv,
		confRoot: resolved.installConf.file ? resolved.installConf.confRoot : undefined,
		layout: resolved.layout,
		initrdGenerator: resolved.installConf.conf.initrdGenerator,
		ukiGenerator: resolved.installConf.conf.ukiGenerator,
		plugins: plugins.join(' '),
	};
}

export async function installWithLayout(
	ctx: RuntimeContext,
	artifacts: KernelArtifacts,
	options: { inside?: (resolved: ResolvedLayout, written: string[]) => Promise<void>; hooks?: readonly string[] } = {},
): Promise<{ resolved: ResolvedLayout; files: string[] }> {
	const resolved = await checkLayout(ctx, artifacts.kv);
	const files = await BootTransaction.run(ctx, `install ${artifacts.kv}`, async (t) => {
		const written = installLayout(ctx, t, resolved, artifacts);
		if (options.inside) await options.inside(resolved, written);
		return written;
	});
	const hooks = options.hooks ?? [];
	if (!writesOwnLog(hooks)) {
		const paths = installedPaths(ctx, resolved, artifacts);
		const present = (p: string | undefined) => (p && existsSync(systemPath(ctx, p)) ? p : undefined);
		writeInstallLog(ctx, {
			...logRecord(resolved, artifacts.kv, 'dist-kernel', hooks),
			bootRoot: paths.bootRoot,
			kernel: present(paths.image),
			initrd: present(paths.initrd),
		});
	}
	return { resolved, files };
}

export async function removeWithLayout(
	ctx: RuntimeContext,
	kv: string,
	options: { inside?: (resolved: ResolvedLayout) => Promise<void>; hooks?: readonly string[] } = {},
): Promise<string[]> {
	const resolved = await resolveLayout(ctx, kv, { requireEsp: false });
	const removed = await BootTransaction.run(ctx, `remove ${kv}`, async (t) => {
		const files = layoutFilesOf(ctx, resolved, kv);
		for (const file of files) t.remove(file);
		if (options.inside) await options.inside(resolved);
		return files.map((f) => systemView(ctx.root, f));
	});
	if (removed.length > 0)
		writeInstallLog(ctx, {
			...logRecord(resolved, kv, 'dist-kernel-remove', options.hooks ?? []),
			bootRoot: resolved.places.boot,
			kernel: removed.find((f) => /\/(vmlinuz-[^/]+|linux|[^/]+\.efi)$/.test(f)) ?? removed[0],
		});
	return removed;
}

export async function listWithLayout(ctx: RuntimeContext, backend: BackendName): Promise<InstalledKernel[]> {
	return listLayoutKernels(ctx, await resolveLayout(ctx, '0', { requireEsp: false }), backend);
}
