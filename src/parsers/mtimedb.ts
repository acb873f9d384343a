// Portage's /var/cache/edb/mtimedb (JSON since portage-2.1.10.49; lib/portage/util/mtimedb.py). We read only the
// resume lists: `resume.mergelist` (and `resume_backup.mergelist`) hold one `[type, root, cpv, operation]` entry
// per package still to merge (lib/_emerge/Package.py `__iter__`). The Scheduler removes a package's entry only
// after its merge (including pkg_postinst) finished, so during a postinst the running package is still listed.
import { DistKernelError } from '../lib/errors';
import { type Cpv, parseCpv } from './atom';

export interface MergeListItem {
	/** 'ebuild' | 'binary' | 'installed' … */
	type: string;
	/** ROOT the package merges into ('/'). */
	root: string;
	cpv: Cpv;
	/** 'merge' | 'nomerge' | 'uninstall'. */
	operation: string;
}

export interface ResumeList {
	mergelist: MergeListItem[];
}

export interface Mtimedb {
	resume?: ResumeList;
	resumeBackup?: ResumeList;
}

function invalid(why: string): DistKernelError {
	return new DistKernelError('mtimedb.parse', `invalid Portage mtimedb: ${why}`, {
		hint: 'the file is rewritten by the next emerge; dist-kernel does not defer work while it is unreadable',
	});
}

function parseResume(value: unknown, key: string): ResumeList | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`Expected \`${key}\` to be an object`);
	const list = (value as Record<string, unknown>)['mergelist'];
	if (list === undefined) return { mergelist: [] };
	if (!Array.isArray(list)) throw invalid(`Expected \`${key}.mergelist\` to be a list`);
	const mergelist: MergeListItem[] = [];
	for (const [index, entry] of list.entries()) {
		if (!Array.isArray(entry) || entry.length < 4 || !entry.slice(0, 4).every((x) => typeof x === 'string')) {
			throw invalid(`Expected \`${key}.mergelist[${index}]\` to be [type, root, cpv, operation]`);
		}
		const [type, root, cpvText, operation] = entry as string[];
		let cpv: Cpv;
		try {
			cpv = parseCpv(cpvText!);
		} catch (error) {
			throw invalid(`\`${key}.mergelist[${index}]\`: ${(error as Error).message}`);
		}
		mergelist.push({ type: type!, root: root!, cpv, operation: operation! });
	}
	return { mergelist };
}

/** Parse the file's text. Empty text means no mtimedb. Throws 'mtimedb.parse' (e.g. an old pickle file). */
export function parseMtimedb(text: string): Mtimedb {
	if (text.trim() === '') return {};
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw invalid('not JSON (a pickle from a very old Portage?)');
	}
	if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid('Expected a JSON object');
	const record = data as Record<string, unknown>;
	const resume = parseResume(record['resume'], 'resume');
	const resumeBackup = parseResume(record['resume_backup'], 'resume_backup');
	return { ...(resume ? { resume } : {}), ...(resumeBackup ? { resumeBackup } : {}) };
}
