// A kernel whose boot verification failed is installed but must not become the default. Boot Loader
// Specification boot counting does exactly that: an entry named `<id>+0-1.conf` (type #1) or `<id>+0-1.efi`
// (type #2 UKI in EFI/Linux) has no tries left, so systemd-boot sorts it after every good entry and never picks
// it as the default (also not through a `default` glob), while it stays bootable from the menu. Boot loaders
// that read no such files (GRUB, firmware entries) are simply not updated for it (see install-kernel.ts).
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDir } from '../../../lib/atomic-write';
import { systemView, underRoot } from '../../../lib/root';
import type { RuntimeContext } from '../../context';
import { BOOT_DIRS, mentionsKernel } from '../files/boot-files';

export const BAD_SUFFIX = '+0-1';

/** `<id>.conf` / `<id>+3-0.conf` → `<id>+0-1.conf`. Pure. */
export function badName(name: string): string {
	const match = /^(.*?)(?:\+\d+(?:-\d+)?)?(\.conf|\.efi)$/.exec(name);
	return match ? `${match[1]}${BAD_SUFFIX}${match[2]}` : name;
}

function entryFiles(ctx: Pick<RuntimeContext, 'root'>, kv: string): string[] {
	const out: string[] = [];
	for (const base of BOOT_DIRS) {
		for (const [sub, ext] of [
			['loader/entries', '.conf'],
			['EFI/Linux', '.efi'],
		] as const) {
			let dir: string;
			try {
				dir = underRoot(ctx.root, `${base}/${sub}`);
			} catch {
				continue;
			}
			let names: string[];
			try {
				names = readdirSync(dir);
			} catch {
				continue;
			}
			for (const name of names) if (name.endsWith(ext) && mentionsKernel(name, kv)) out.push(join(dir, name));
		}
	}
	return [...new Set(out)];
}

/** Marks every BLS entry / EFI/Linux UKI of `kv` as bad; returns the new system paths. */
export function demoteKernel(ctx: Pick<RuntimeContext, 'root'>, kv: string): string[] {
	const demoted: string[] = [];
	for (const file of entryFiles(ctx, kv)) {
		const name = file.slice(dirname(file).length + 1);
		const target = join(dirname(file), badName(name));
		if (target !== file) {
			renameSync(file, target);
			fsyncDir(dirname(file));
		}
		demoted.push(systemView(ctx.root, target));
	}
	return demoted;
}

/** After a good (or forced) install: entries a failed verification left marked bad are stale duplicates now. */
export function dropDemoted(ctx: Pick<RuntimeContext, 'root'>, kv: string): string[] {
	const dropped: string[] = [];
	for (const file of entryFiles(ctx, kv)) {
		const name = file.slice(dirname(file).length + 1);
		if (!name.replace(/\.(conf|efi)$/, '').endsWith(BAD_SUFFIX)) continue;
		rmSync(file, { force: true });
		dropped.push(systemView(ctx.root, file));
	}
	return dropped;
}
