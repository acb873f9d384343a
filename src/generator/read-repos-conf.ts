// Finds the repositories Portage knows under a root: the default repos.conf, then /etc/portage/repos.conf
// (a file or a directory read recursively in name order, skipping hidden names and backups ending in `~`).
import { lstatSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError } from '../lib/errors';
import type { Logger } from '../lib/log';
import { underRoot } from '../lib/root';
import { printable } from '../lib/validate';
import { parseReposConf, type ReposConfSource } from '../parsers/repos-conf';

export const DEFAULT_REPOS_CONF = '/usr/share/portage/config/repos.conf';
export const USER_REPOS_CONF = '/etc/portage/repos.conf';

export interface Repository {
	/** Section name in repos.conf. */
	name: string;
	/** `location` as the target system sees it. */
	location: string;
	/** The same directory on this host (under --root). */
	hostPath: string;
	/** File that defined the section. */
	source: string;
}

/** Portage's _recursive_file_list: regular files in sorted order, directories descended, dot-names and `~` backups skipped. */
export function listConfigFiles(path: string): string[] {
	let stat: Stats;
	try {
		stat = statSync(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
	if (stat.isFile()) return [path];
	if (!stat.isDirectory()) return [];
	const files: string[] = [];
	for (const name of readdirSync(path).sort()) {
		if (name.startsWith('.') || name.endsWith('~') || name === 'CVS') continue;
		files.push(...listConfigFiles(join(path, name)));
	}
	return files;
}

/** Reads and parses repos.conf under `root`; sections without a usable location are skipped with a warning. */
export function readRepositories(root: string, logger: Logger): Repository[] {
	const paths = [
		...listConfigFiles(underRoot(root, DEFAULT_REPOS_CONF)),
		...listConfigFiles(underRoot(root, USER_REPOS_CONF)),
	];
	const sources: ReposConfSource[] = paths.map((path) => ({ path, text: readFileSync(path, 'utf8') }));
	const conf = parseReposConf(sources);
	const repositories: Repository[] = [];
	for (const section of conf.sections) {
		const location = section.options['location']?.trim() ?? '';
		if (location === '') {
			logger.warn(`repos.conf section [${printable(section.name)}] has no location: skipped (${section.source})`);
			continue;
		}
		if (!location.startsWith('/') || /[\0\n\r]/.test(location)) {
			logger.warn(
				`repos.conf section [${printable(section.name)}] has location \`${printable(location)}\`, not an absolute path: skipped (${section.source})`,
			);
			continue;
		}
		repositories.push({ name: section.name, location, hostPath: underRoot(root, location), source: section.source });
	}
	return repositories;
}

/** The repository must exist: a missing one means repos.conf and the disk disagree. */
export function assertRepositoryExists(repository: Repository): void {
	let ok = false;
	try {
		ok = statSync(repository.hostPath).isDirectory();
	} catch {
		ok = false;
	}
	if (!ok) {
		throw new DistKernelError('repo.missing', `repository not found: ${repository.hostPath}`, {
			hint: `repos.conf section [${printable(repository.name)}] (${repository.source}) names location ${printable(repository.location)}; sync it or fix the location`,
		});
	}
}

/** Name the repository gives itself: layout.conf `repo-name`, else profiles/repo_name (as Portage reads it). */
export function readRepositoryName(hostPath: string): string | undefined {
	const read = (path: string) => {
		try {
			if (!lstatSync(path).isFile()) return undefined;
			return readFileSync(path, 'utf8');
		} catch {
			return undefined;
		}
	};
	const layout = read(join(hostPath, 'metadata', 'layout.conf'));
	const fromLayout = layout ? /^[ \t]*repo-name[ \t]*=[ \t]*(\S+)[ \t]*$/m.exec(layout)?.[1] : undefined;
	if (fromLayout) return fromLayout;
	return (
		read(join(hostPath, 'profiles', 'repo_name'))
			?.split('\n')[0]
			?.trim() || undefined
	);
}
