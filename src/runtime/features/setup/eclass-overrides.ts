// What our `[gentoo]` section must say. Portage merges every repos.conf file into one configparser, where a
// section's own value replaces the same key from an earlier file and from [DEFAULT]: so our line must repeat the
// overrides the admin already has, and a file read after ours that sets the key for that repository wins over us.
import { relative, sep } from 'node:path';
import { parseReposConf, type ReposConfSource } from '../../../parsers/repos-conf';

export interface EclassOverridesPlan {
	/** Repository whose ebuilds get our eclasses: `main-repo` from [DEFAULT], else gentoo. */
	mainRepo: string;
	/** The value to write: the existing overrides, then ours (the last one listed takes precedence). */
	value: string;
	/** A file read after ours that sets eclass-overrides for the repository itself, replacing our value. */
	shadowedBy?: string;
}

/** Whether `path` (a file in the repos.conf directory `dir`) is read after our `ownPath` (also in `dir`). */
function readAfter(path: string, ownPath: string, dir: string): boolean {
	const rel = relative(dir, path);
	if (rel.startsWith('..') || rel === '') return false;
	return (rel.split(sep)[0] ?? '') > relative(dir, ownPath);
}

/**
 * `sources`: repos.conf files in the order Portage reads them (its default file, then /etc/portage/repos.conf).
 * Our own file (`ownPath`) is left out of the computation, so re-running setup gives the same answer.
 */
export function planEclassOverrides(
	sources: readonly ReposConfSource[],
	ownPath: string,
	reposConfDir: string,
	overlayName: string,
	mainRepo?: string,
): EclassOverridesPlan {
	const others = sources.filter((s) => s.path !== ownPath);
	const conf = parseReposConf(others);
	const main = mainRepo ?? (conf.defaults['main-repo'] || 'gentoo');
	const existing =
		conf.sections.find((s) => s.name === main)?.options['eclass-overrides'] ?? conf.defaults['eclass-overrides'] ?? '';
	const value = [...existing.split(/\s+/).filter((name) => name !== '' && name !== overlayName), overlayName].join(' ');
	const shadowing = others.find((s) => {
		if (!readAfter(s.path, ownPath, reposConfDir)) return false;
		const alone = parseReposConf([s]);
		return (
			alone.sections.some((section) => section.name === main && 'eclass-overrides' in section.options) &&
			alone.defaults['eclass-overrides'] === undefined
		);
	});
	return { mainRepo: main, value, ...(shadowing ? { shadowedBy: shadowing.path } : {}) };
}
