// Reads Portage's installed-package database (/var/db/pkg under --root). A broken entry is reported in `broken`
// and skipped; it never stops the scan. The `select` hook lets a caller look at two raw files (RDEPEND, CONTENTS
// as bytes) before anything is parsed, so a scan for module packages parses only the few that matter.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { underRoot } from '../../../lib/root';
import { isCategory } from '../../../lib/validate';
import { type ContentsEntry, parseContents } from '../../../parsers/vdb-contents';
import { parseVdbEntry, VDB_KEYS, type VdbFiles, type VdbPackage } from '../../../parsers/vdb-entry';
import type { SkipCache } from './skip-cache';

export const VDB_DIR = '/var/db/pkg';

export interface BrokenEntry {
	cpv: string;
	error: DistKernelError;
}

export interface InstalledPackage extends VdbPackage {
	/** Parsed CONTENTS when it was asked for. */
	contents?: ContentsEntry[];
}

export interface RawEntry {
	cpv: string;
	/** RDEPEND text ('' when absent). */
	rdepend: string;
	/** CONTENTS bytes (empty when absent). */
	contents: Buffer;
}

export interface ReadVdbOptions {
	/** Decide from raw RDEPEND/CONTENTS whether to parse this entry: 'skip', 'metadata' or 'contents' (default). */
	select?: (raw: RawEntry) => 'skip' | 'metadata' | 'contents';
	/** Remembers entries `select` skipped, so unchanged ones are not read again (see skip-cache.ts). */
	skipCache?: SkipCache;
}

export interface VdbScan {
	packages: InstalledPackage[];
	broken: BrokenEntry[];
}

function readOptional(path: string): Buffer | undefined {
	try {
		return readFileSync(path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return undefined;
		throw new DistKernelError('vdb.read', `cannot read installed-package file: ${path}`, {
			details: String(error),
			cause: error,
		});
	}
}

function listDir(path: string): string[] {
	try {
		return readdirSync(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
			return [];
		throw new DistKernelError('vdb.read', `cannot list installed-package directory: ${path}`, {
			details: String(error),
			cause: error,
		});
	}
}

/** Every `category/PF` directory, in sorted order. Portage's own temp dirs (`-MERGING-…`, dot files) are skipped. */
export function listVdbEntries(root: string): string[] {
	const base = underRoot(root, VDB_DIR);
	const out: string[] = [];
	for (const category of listDir(base).sort()) {
		if (!isCategory(category) || category.startsWith('.')) continue;
		for (const pf of listDir(join(base, category)).sort()) {
			if (pf.startsWith('.') || pf.startsWith('-MERGING-')) continue;
			out.push(`${category}/${pf}`);
		}
	}
	return out;
}

/** Parse one entry's metadata (and CONTENTS when `withContents`). Throws 'vdb.parse' / 'vdb.read'. */
export function readVdbEntry(root: string, cpv: string, withContents = true, contentsBytes?: Buffer): InstalledPackage {
	const dir = join(underRoot(root, VDB_DIR), cpv);
	const files: VdbFiles = {};
	for (const key of VDB_KEYS) {
		const data = readOptional(join(dir, key));
		if (data !== undefined) files[key] = data.toString('utf8');
	}
	const pkg: InstalledPackage = parseVdbEntry(cpv, files);
	if (withContents) {
		const bytes = contentsBytes ?? readOptional(join(dir, 'CONTENTS')) ?? Buffer.alloc(0);
		pkg.contents = parseContents(bytes.toString('utf8'), `${VDB_DIR}/${cpv}/CONTENTS`);
	}
	return pkg;
}

export function readVdb(root: string, options: ReadVdbOptions = {}): VdbScan {
	const packages: InstalledPackage[] = [];
	const broken: BrokenEntry[] = [];
	const base = underRoot(root, VDB_DIR);
	for (const cpv of listVdbEntries(root)) {
		try {
			let choice: 'skip' | 'metadata' | 'contents' = 'contents';
			let contents: Buffer | undefined;
			if (options.select) {
				const dir = join(base, cpv);
				if (options.skipCache?.isSkipped(cpv, dir)) continue;
				contents = readOptional(join(dir, 'CONTENTS')) ?? Buffer.alloc(0);
				const rdepend = readOptional(join(dir, 'RDEPEND'))?.toString('utf8') ?? '';
				choice = options.select({ cpv, rdepend, contents });
				options.skipCache?.remember(cpv, dir, choice === 'skip');
			}
			if (choice === 'skip') continue;
			packages.push(readVdbEntry(root, cpv, choice === 'contents', contents));
		} catch (error) {
			if (!isDistKernelError(error)) throw error;
			broken.push({ cpv, error });
		}
	}
	options.skipCache?.save();
	return { packages, broken };
}
