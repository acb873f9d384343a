// The boot files of one kernel version in every layout (whichever wrote them: an admin may switch layouts), for
// `remove` and for listing installed kernels. Version-less names are never part of a version's files, and the
// rescue image (0-rescue-<machine-id>) is nobody's version.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemView } from '../../../lib/root';
import { isKernelVersion } from '../../../lib/validate';
import type { Layout } from '../../../parsers/install-conf';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import type { BackendName, InstalledKernel } from '../files/types';
import { findEsp } from './boot-places';
import { fileName, isEntryOf, type LayoutNames, oldName, type Place, planLayout } from './layout-plan';
import type { ResolvedLayout } from './resolve-layout';

const LAYOUTS_WITH_FILES: readonly Layout[] = ['compat', 'efistub', 'uki', 'bls'];
export const RESCUE_PREFIX = '0-rescue';

function exists(path: string): boolean {
	try {
		lstatSync(path);
		return true;
	} catch {
		return false;
	}
}

/** Every place a layout may have used, as system paths (an ESP per subdirectory, as installkernel looks). */
function placesFor(
	ctx: Pick<RuntimeContext, 'root'>,
	resolved: ResolvedLayout,
	layout: Layout,
	names: LayoutNames,
): Record<Place, string | undefined> {
	const esp =
		layout === 'uki'
			? findEsp(ctx, ['Linux'])
			: layout === 'efistub'
				? findEsp(ctx, [names.vendorName])
				: resolved.places.esp;
	return { boot: resolved.places.boot, esp, bootRoot: resolved.places.bootRoot };
}

/** Disk paths of every existing boot file (or BLS entry directory) of `kv`. */
export function layoutFilesOf(ctx: Pick<RuntimeContext, 'root'>, resolved: ResolvedLayout, kv: string): string[] {
	const names = { ...resolved.names, kv };
	const found = new Set<string>();
	const inputs = { initrd: true, systemMap: true, config: true, microcode: [] };
	for (const layout of LAYOUTS_WITH_FILES) {
		const places = placesFor(ctx, resolved, layout, names);
		// With a plain initramfs every layout but uki lists every file it may have written (the empty initramfs
		// beside a UKI has the same name).
		const plan = planLayout(layout, names, { ...inputs, uki: layout === 'uki' });
		for (const file of plan.files) {
			const base = places[file.place];
			if (!base) continue;
			const dir = systemPath(ctx, [base, ...file.dir].join('/'));
			if (layout === 'bls') {
				found.add(dir);
				continue;
			}
			found.add(join(dir, fileName(file, kv)));
			if (file.keepsOld) found.add(join(dir, oldName(`${file.stem}-${kv}`, file.suffix ?? '')));
		}
		if (plan.entry) {
			const entries = systemPath(ctx, [places.bootRoot!, ...plan.entry.dir].join('/'));
			for (const name of listDir(entries))
				if (isEntryOf(name, resolved.names.entryToken, kv)) found.add(join(entries, name));
		}
	}
	return [...found].filter(exists);
}

function listDir(dir: string): string[] {
	try {
		return readdirSync(dir);
	} catch {
		return [];
	}
}

function versionFrom(name: string, prefix: string, suffix: string): string | undefined {
	if (!name.startsWith(prefix) || !name.endsWith(suffix)) return undefined;
	const kv = name.slice(prefix.length, name.length - suffix.length);
	if (!isKernelVersion(kv) || kv.startsWith(RESCUE_PREFIX) || kv.endsWith('-old') || kv.endsWith('.old'))
		return undefined;
	return kv;
}

/** Installed kernel versions found in any layout's place, with their files as system paths. */
export function listLayoutKernels(
	ctx: Pick<RuntimeContext, 'root'>,
	resolved: ResolvedLayout,
	backend: BackendName,
): InstalledKernel[] {
	const kvs = new Set<string>();
	const add = (kv: string | undefined) => kv && kvs.add(kv);
	for (const name of listDir(systemPath(ctx, '/boot'))) add(versionFrom(name, 'vmlinuz-', ''));
	const ukiEsp = findEsp(ctx, ['Linux']);
	if (ukiEsp)
		for (const name of listDir(systemPath(ctx, `${ukiEsp}/EFI/Linux`)))
			add(versionFrom(name, `${resolved.names.id}-`, '.efi'));
	const stubEsp = findEsp(ctx, [resolved.names.vendorName]);
	if (stubEsp)
		for (const name of listDir(systemPath(ctx, `${stubEsp}/EFI/${resolved.names.vendorName}`)))
			add(versionFrom(name, 'vmlinuz-', '.efi'));
	for (const name of listDir(systemPath(ctx, `${resolved.places.bootRoot}/${resolved.names.entryToken}`)))
		add(versionFrom(name, '', ''));
	return [...kvs].sort().map((kv) => ({
		kv,
		backend,
		files: layoutFilesOf(ctx, resolved, kv)
			.flatMap((p) => {
				try {
					return lstatSync(p).isDirectory()
						? listDir(p)
								.sort()
								.map((n) => join(p, n))
						: [p];
				} catch {
					return [];
				}
			})
			.map((p) => systemView(ctx.root, p)),
	}));
}
