// One installed package's metadata as Portage keeps it in /var/db/pkg/<category>/<PF>/: one small file per key
// (CATEGORY, PF, SLOT, USE, IUSE, RDEPEND, repository, COUNTER, BUILD_TIME, INHERITED), each ending in a newline.
// Pure: the caller reads the files and hands their text in; the directory name is authoritative, as in vartree.
import { DistKernelError } from '../lib/errors';
import { isCategory, isSlotName, printable } from '../lib/validate';
import { type Atom, parseDependAtoms, splitNameVersion } from './atom';
import type { PmsVersion } from './pms-version';

export const VDB_KEYS = [
	'CATEGORY',
	'PF',
	'SLOT',
	'USE',
	'IUSE',
	'RDEPEND',
	'repository',
	'COUNTER',
	'BUILD_TIME',
	'INHERITED',
] as const;
export type VdbKey = (typeof VDB_KEYS)[number];
export type VdbFiles = Partial<Record<VdbKey, string>>;

export interface VdbPackage {
	/** `category/PF`, the directory under /var/db/pkg. */
	cpv: string;
	category: string;
	pf: string;
	name: string;
	/** `category/name`. */
	key: string;
	version: PmsVersion;
	slot: string;
	subSlot?: string;
	use: string[];
	/** IUSE flags without their +/- default markers. */
	iuse: string[];
	rdepend: Atom[];
	repository?: string;
	counter?: number;
	buildTime?: number;
	inherited: string[];
}

function fail(cpv: string, key: string, why: string): DistKernelError {
	return new DistKernelError('vdb.parse', `invalid installed package entry: ${printable(cpv)} (${key})`, {
		details: why,
	});
}

function value(files: VdbFiles, key: VdbKey): string | undefined {
	const text = files[key];
	if (text === undefined) return undefined;
	if (text.includes('\0'))
		throw new DistKernelError('vdb.parse', `invalid installed package entry (${key}): null byte`);
	return text.trim();
}

function integer(cpv: string, files: VdbFiles, key: VdbKey): number | undefined {
	const text = value(files, key);
	if (text === undefined || text === '') return undefined;
	if (!/^[0-9]{1,15}$/.test(text)) throw fail(cpv, key, `Expected ${key} to be an integer, got \`${printable(text)}\``);
	return Number(text);
}

const FLAG_RE = /^[A-Za-z0-9][A-Za-z0-9+_@-]*$/;

function flags(cpv: string, files: VdbFiles, key: VdbKey, stripDefaults: boolean): string[] {
	const text = value(files, key) ?? '';
	const out: string[] = [];
	for (const word of text.split(/\s+/)) {
		if (word === '') continue;
		const flag = stripDefaults && (word.startsWith('+') || word.startsWith('-')) ? word.slice(1) : word;
		if (!FLAG_RE.test(flag)) throw fail(cpv, key, `Expected a USE flag, got \`${printable(word)}\``);
		out.push(flag);
	}
	return out;
}

/** `cpv` is the directory's `category/PF`; `files` the texts of the keys that exist. Throws 'vdb.parse'. */
export function parseVdbEntry(cpv: string, files: VdbFiles): VdbPackage {
	const [category = '', pf = '', ...extra] = cpv.split('/');
	if (extra.length > 0 || !isCategory(category)) throw fail(cpv, 'directory', 'Expected `category/PF`');
	const split = splitNameVersion(pf);
	if (!split) throw fail(cpv, 'directory', `Expected a package name and version, got \`${printable(pf)}\``);
	const categoryFile = value(files, 'CATEGORY');
	if (categoryFile !== undefined && categoryFile !== category)
		throw fail(cpv, 'CATEGORY', `\`${printable(categoryFile)}\` differs from the directory`);
	const pfFile = value(files, 'PF');
	if (pfFile !== undefined && pfFile !== pf)
		throw fail(cpv, 'PF', `\`${printable(pfFile)}\` differs from the directory`);

	const slotText = value(files, 'SLOT') ?? '0';
	const [slot = '', subSlot, ...slotExtra] = slotText.split('/');
	if (slotExtra.length > 0 || !isSlotName(slot) || (subSlot !== undefined && !isSlotName(subSlot))) {
		throw fail(cpv, 'SLOT', `Expected SLOT or SLOT/SUBSLOT, got \`${printable(slotText)}\``);
	}
	let rdepend: Atom[];
	try {
		rdepend = parseDependAtoms(value(files, 'RDEPEND') ?? '');
	} catch (error) {
		throw fail(cpv, 'RDEPEND', error instanceof Error ? error.message : String(error));
	}
	const repository = value(files, 'repository');
	if (repository !== undefined && repository !== '' && !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(repository)) {
		throw fail(cpv, 'repository', `Expected a repository name, got \`${printable(repository)}\``);
	}
	const counter = integer(cpv, files, 'COUNTER');
	const buildTime = integer(cpv, files, 'BUILD_TIME');
	return {
		cpv,
		category,
		pf,
		name: split.name,
		key: `${category}/${split.name}`,
		version: split.version,
		slot,
		...(subSlot !== undefined ? { subSlot } : {}),
		use: flags(cpv, files, 'USE', false),
		iuse: flags(cpv, files, 'IUSE', true),
		rdepend,
		...(repository ? { repository } : {}),
		...(counter !== undefined ? { counter } : {}),
		...(buildTime !== undefined ? { buildTime } : {}),
		inherited: (value(files, 'INHERITED') ?? '').split(/\s+/).filter(Boolean),
	};
}
