// Finds every ebuild of the configured kernel packages in the chosen repositories, with its version and KEYWORDS.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError } from '../lib/errors';
import type { Logger } from '../lib/log';
import { printable } from '../lib/validate';
import { parseEbuildFilename } from '../parsers/ebuild-filename';
import { keywordsFromCacheEntry, keywordsFromEbuild } from '../parsers/ebuild-keywords';
import type { PmsVersion } from '../parsers/pms-version';
import { assertRepositoryExists, type Repository, readRepositoryName } from './read-repos-conf';

export interface KernelEbuild {
	/** category/name */
	package: string;
	version: PmsVersion;
	/** Version without revision. */
	pv: string;
	repository: string;
	/** KEYWORDS, when they could be read without evaluating bash. */
	keywords: string[] | undefined;
}

export interface ScanOptions {
	repositories: readonly Repository[];
	/** Names to scan; empty: every repository except `exclude`. */
	only: readonly string[];
	/** Our own overlay's name, never scanned. */
	exclude: string;
	/** Host path of the output overlay, never scanned. */
	excludePath: string;
	packages: readonly string[];
	logger: Logger;
}

/** Control characters escaped, nothing truncated. */
function escaped(text: string): string {
	return JSON.stringify(text).slice(1, -1);
}

const REPO_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Live ebuilds (9999 and the like) have no fixed version for a virtual to name. */
function isLiveVersion(version: PmsVersion): boolean {
	return version.numbers.some((n) => /^9{4,}$/.test(n));
}

export function selectRepositories(
	options: Pick<ScanOptions, 'repositories' | 'only' | 'exclude' | 'excludePath'>,
): Repository[] {
	if (options.only.length > 0) {
		return options.only.map((name) => {
			const found = options.repositories.find((r) => r.name === name);
			if (!found) {
				throw new DistKernelError('config.invalid', `repository not in repos.conf: ${name}`, {
					exitCode: 2,
					hint: `the \`repositories\` setting names it; known: ${options.repositories.map((r) => r.name).join(', ') || '(none)'}`,
				});
			}
			return found;
		});
	}
	return options.repositories.filter((r) => r.name !== options.exclude && r.hostPath !== options.excludePath);
}

export function scanKernelEbuilds(options: ScanOptions): { ebuilds: KernelEbuild[]; scanned: Repository[] } {
	const scanned = selectRepositories(options);
	const ebuilds: KernelEbuild[] = [];
	for (const repository of scanned) {
		if (!REPO_NAME_RE.test(repository.name)) {
			// PMS 3.1.5 repository names; anything else could not be named safely in generated files.
			options.logger.warn(`repos.conf section [${printable(repository.name)}] is not a valid repository name: skipped`);
			continue;
		}
		assertRepositoryExists(repository);
		const selfName = readRepositoryName(repository.hostPath);
		if (selfName !== undefined && selfName !== repository.name) {
			// Portage drops such a section too ("has name different from repository name set inside repository").
			options.logger.warn(
				`repository at ${printable(repository.location)} calls itself \`${printable(selfName)}\`, not [${printable(repository.name)}]: skipped, as Portage does`,
			);
			continue;
		}
		for (const pkg of options.packages) ebuilds.push(...scanPackage(repository, pkg, options.logger));
	}
	return { ebuilds, scanned: scanned.filter((r) => REPO_NAME_RE.test(r.name)) };
}

function scanPackage(repository: Repository, pkg: string, logger: Logger): KernelEbuild[] {
	const [category = '', name = ''] = pkg.split('/');
	const dir = join(repository.hostPath, category, name);
	if (!existsSync(dir)) return [];
	const found: KernelEbuild[] = [];
	for (const fileName of readdirSync(dir).sort()) {
		const parsed = parseEbuildFilename(fileName, name);
		if (parsed === undefined) continue;
		if (!parsed.ok) {
			logger.warn(
				`skipping invalid ebuild file name: ${printable(fileName)} in ${escaped(join(repository.location, category, name))} (${escaped(parsed.reason)})`,
			);
			continue;
		}
		if (isLiveVersion(parsed.version)) {
			logger.debug(`skipping live ebuild ${pkg}-${parsed.version.text}`);
			continue;
		}
		found.push({
			package: pkg,
			version: parsed.version,
			pv: parsed.pv,
			repository: repository.name,
			keywords: readKeywords(repository.hostPath, category, `${name}-${parsed.version.text}`, join(dir, fileName)),
		});
	}
	return found;
}

function readKeywords(repoPath: string, category: string, pf: string, ebuildPath: string): string[] | undefined {
	const readText = (path: string) => {
		try {
			return readFileSync(path, 'utf8');
		} catch {
			return undefined;
		}
	};
	const cache = readText(join(repoPath, 'metadata', 'md5-cache', category, pf));
	const fromCache = cache === undefined ? undefined : keywordsFromCacheEntry(cache);
	if (fromCache) return fromCache;
	const ebuild = readText(ebuildPath);
	return ebuild === undefined ? undefined : keywordsFromEbuild(ebuild);
}
