// The initramfs images a kernel boots with, ready to be listed: each non-empty initramfs file and the .initrd
// section of each UKI (the empty initramfs beside a UKI is the placeholder dist-kernel installs: nothing to read).
import { readFileSync } from 'node:fs';
import type { Exec } from '../../../lib/exec';
import { findSection } from '../../../parsers/pe-sections';
import { findBootFiles } from '../../boot/files/boot-files';
import { type InitramfsListing, listInitramfs, listInitramfsBuffer } from './read-initramfs';

export interface KernelImage {
	/** Path as the target system sees it. */
	path: string;
	/** Path on disk (under root). */
	fullPath: string;
	read: () => Promise<InitramfsListing>;
}

export function kernelImages(exec: Exec, root: string, kv: string): KernelImage[] {
	const files = findBootFiles(root, kv);
	return [
		...files.initrds
			.filter((f) => f.size > 0 || files.ukis.length === 0)
			.map((f) => ({ path: f.path, fullPath: f.fullPath, read: () => listInitramfs(exec, f.fullPath) })),
		...files.ukis.map((f) => ({
			path: f.path,
			fullPath: f.fullPath,
			read: async () => {
				const initrd = findSection(readFileSync(f.fullPath), '.initrd');
				return listInitramfsBuffer(exec, initrd ?? Buffer.alloc(0));
			},
		})),
	];
}

/** Module names (`zfs`, no `.ko` or compression suffix) the listing holds under `modules/<kv>/<subdir>/`. */
export function modulesUnder(listing: InitramfsListing, kv: string, subdirs: readonly string[]): Map<string, string> {
	const out = new Map<string, string>();
	const marker = `modules/${kv}/`;
	for (const entry of listing.entries) {
		const at = entry.name.indexOf(marker);
		if (at < 0 || entry.type !== 'file') continue;
		const rel = entry.name.slice(at + marker.length);
		const match = /(?:^|\/)([^/]+)\.ko(?:\.(?:gz|xz|zst))?$/.exec(rel);
		if (!match || !subdirs.some((d) => rel.startsWith(`${d}/`))) continue;
		out.set(match[1]!, rel);
	}
	return out;
}
