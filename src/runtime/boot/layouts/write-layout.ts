// Writes a layout plan through the boot transaction, with installkernel's conventions: a same-version file already
// there is kept as .old (-old.efi for EFI files), and a version-less name (vmlinuz, initramfs.img, System.map,
// gentoo.efi…) is refreshed only when it already exists — a link stays a link, a copy stays a copy. Every write is
// staged beside its target and renamed in (the image last); directories created are recorded for rollback.
import { lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import { systemView } from '../../../lib/root';
import type { RuntimeContext } from '../../context';
import { checkSpace } from '../transaction/space';
import { assertNotSymlink, bootFilePath, resolveBootDir } from '../transaction/target-dir';
import type { BootTransaction } from '../transaction/transaction';
import {
	fileName,
	isEntryOf,
	type LayoutPlan,
	oldName,
	type Place,
	type PlannedFile,
	type Source,
	versionlessName,
} from './layout-plan';

export type PlaceDirs = Record<Place, string | undefined>;

function kindOf(path: string): 'file' | 'link' | 'dir' | 'absent' {
	try {
		const stats = lstatSync(path);
		return stats.isSymbolicLink() ? 'link' : stats.isDirectory() ? 'dir' : 'file';
	} catch {
		return 'absent';
	}
}

/** Disk path of a directory below a place, created (and recorded for rollback) when missing. */
export function layoutDir(
	ctx: Pick<RuntimeContext, 'root' | 'dryRun'>,
	t: BootTransaction | undefined,
	places: PlaceDirs,
	place: Place,
	dir: readonly string[],
): string {
	const base = places[place];
	if (!base)
		throw new DistKernelError(
			'layout.no-place',
			`no ${place === 'esp' ? 'EFI system partition' : place} found for this layout`,
		);
	let path = resolveBootDir(ctx, base);
	for (const part of dir) {
		path = bootFilePath(path, part);
		if (kindOf(path) === 'absent') {
			if (ctx.dryRun || !t) continue;
			t.protect(path);
			mkdirSync(path, { mode: 0o755 });
		} else if (!statSync(path).isDirectory()) {
			throw new DistKernelError('layout.not-dir', `expected a directory, found a file: ${path}`, {
				hint: 'move it out of the way, then run again',
			});
		}
	}
	return path;
}

interface Copy {
	source: string;
	target: string;
}

/** The version-less name: what installkernel's updatever() does with it, as transaction steps. */
function refreshVersionless(
	t: BootTransaction,
	dir: string,
	file: PlannedFile,
	kv: string,
	newSource: string,
): string[] {
	const name = versionlessName(file);
	if (!name) return [];
	const path = join(dir, name);
	const versioned = fileName(file, kv);
	const oldOfVersionless = oldName(file.stem!, file.suffix ?? '');
	const oldPath = join(dir, oldOfVersionless);
	const kind = kindOf(path);
	if (kind === 'link') {
		let pointsAtSameVersion = false;
		try {
			pointsAtSameVersion = realpathSync(path) === realpathSync(join(dir, versioned));
		} catch {
			// A dangling link points at nothing of ours.
		}
		if (pointsAtSameVersion) t.symlink(oldPath, oldName(`${file.stem}-${kv}`, file.suffix ?? ''));
		else t.symlink(oldPath, readlinkSync(path));
		t.symlink(path, versioned);
		return [path];
	}
	if (kind === 'file') {
		assertNotSymlink(oldPath);
		t.copyAll([
			{ source: path, target: oldPath, mode: 0o644 },
			{ source: newSource, target: path, mode: 0o644 },
		]);
		return [path];
	}
	return [];
}

export interface LayoutSources {
	files: Partial<Record<Source, string>>;
	/** The BLS entry text, when the plan has one. */
	entryText?: string;
}

/** Space check, then every file through the transaction. Returns the system paths written. */
export function writeLayout(
	ctx: RuntimeContext,
	t: BootTransaction,
	plan: LayoutPlan,
	places: PlaceDirs,
	kv: string,
	sources: LayoutSources,
): string[] {
	const resolved = plan.files.map((file) => {
		const source = sources.files[file.from];
		if (!source) throw new DistKernelError('layout.source', `nothing to install as ${file.from} for ${kv}`);
		return { file, source, dir: layoutDir(ctx, undefined, places, file.place, file.dir) };
	});
	if (!ctx.dryRun) {
		checkSpace(
			resolved.map(({ dir, source, file }) => ({
				dir: existingAncestor(dir),
				bytes: statSync(source).size * (file.keepsOld ? 2 : 1),
				shown: places[file.place] ?? dir,
			})),
		);
	}
	if (plan.staleInitrd) {
		const stale = plan.staleInitrd;
		const dir = layoutDir(ctx, undefined, places, stale.place, stale.dir);
		t.remove(bootFilePath(dir, fileName(stale, kv)));
	}
	const copies: Copy[] = [];
	const written: string[] = [];
	for (const { file, source } of resolved) {
		const dir = layoutDir(ctx, t, places, file.place, file.dir);
		const target = bootFilePath(dir, fileName(file, kv));
		if (file.keepsOld && kindOf(target) === 'file') {
			copies.push({ source: target, target: bootFilePath(dir, oldName(`${file.stem}-${kv}`, file.suffix ?? '')) });
		}
		copies.push({ source, target });
		written.push(target);
	}
	// The .old copies come first: staging reads every source before the first rename.
	t.copyAll(
		[...copies.filter((c) => !written.includes(c.target)), ...copies.filter((c) => written.includes(c.target))].map(
			(c) => ({ ...c, mode: 0o644 }),
		),
	);
	if (plan.entry && sources.entryText !== undefined) {
		const dir = layoutDir(ctx, t, places, 'bootRoot', plan.entry.dir);
		const target = bootFilePath(dir, plan.entry.name);
		// An entry of this version under another boot-counting name (+3, +2-1) would be a second menu item.
		for (const name of readdirOrEmpty(dir))
			if (name !== plan.entry.name && isEntryOf(name, plan.entry.token, kv)) t.remove(bootFilePath(dir, name));
		t.write(target, sources.entryText);
		written.push(target);
	}
	for (const { file, source } of resolved) {
		if (ctx.dryRun) continue;
		written.push(...refreshVersionless(t, layoutDir(ctx, t, places, file.place, file.dir), file, kv, source));
	}
	return written.map((p) => systemView(ctx.root, p));
}

function readdirOrEmpty(dir: string): string[] {
	try {
		return readdirSync(dir);
	} catch {
		return [];
	}
}

function existingAncestor(path: string): string {
	let current = path;
	while (kindOf(current) === 'absent') current = join(current, '..');
	return current;
}
