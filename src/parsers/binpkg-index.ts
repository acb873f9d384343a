// Portage's binary package index, the `Packages` file of a PKGDIR or binhost (see gentoo/portage
// lib/portage/getbinpkg.py PackageIndex): a header block, then one block per package, blocks separated by blank
// lines, each line `KEY: value`. Pure: text in, records out.
import { DistKernelError } from '../lib/errors';
import { isCategoryAndPf, printable } from '../lib/validate';

export interface BinpkgIndexEntry {
	/** `category/PF` (the CPV key). */
	cpv: string;
	/** Every key of the block, as written. */
	fields: Record<string, string>;
}

export interface BinpkgIndex {
	header: Record<string, string>;
	packages: BinpkgIndexEntry[];
}

const LINE_RE = /^([A-Za-z0-9_]+): ?(.*)$/;

function bad(source: string, lineNo: number, why: string, text: string): DistKernelError {
	return new DistKernelError('binhost.index', `unreadable binary package index: ${source}:${lineNo}`, {
		details: `${why}: \`${printable(text)}\``,
	});
}

/** `source` only labels errors. Throws 'binhost.index' on a line that is not `KEY: value` or a block without CPV. */
export function parseBinpkgIndex(text: string, source = 'Packages'): BinpkgIndex {
	if (text.includes('\0')) throw bad(source, 1, 'null byte', '');
	const blocks: Array<{ start: number; fields: Record<string, string> }> = [];
	let current: { start: number; fields: Record<string, string> } | undefined;
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i += 1) {
		const line = (lines[i] ?? '').replace(/\r$/, '');
		if (line.trim() === '') {
			if (current) blocks.push(current);
			current = undefined;
			continue;
		}
		const match = LINE_RE.exec(line);
		if (!match) throw bad(source, i + 1, 'expected `KEY: value`', line);
		current ??= { start: i + 1, fields: {} };
		current.fields[match[1] as string] = match[2] as string;
	}
	if (current) blocks.push(current);
	const [head, ...rest] = blocks;
	const header = head && head.fields['CPV'] === undefined ? head.fields : {};
	const packageBlocks = head && head.fields['CPV'] === undefined ? rest : blocks;
	const packages: BinpkgIndexEntry[] = [];
	for (const block of packageBlocks) {
		const cpv = block.fields['CPV'];
		if (cpv === undefined)
			throw bad(source, block.start, 'package block without CPV', Object.keys(block.fields).join(' '));
		if (!isCategoryAndPf(cpv)) throw bad(source, block.start, 'expected CPV to be category/name-version', cpv);
		packages.push({ cpv, fields: block.fields });
	}
	return { header, packages };
}
