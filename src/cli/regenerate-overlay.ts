// The generator, loaded only when a command really regenerates (setup, postsync after a change): `await import`
// keeps handlebars and the templates out of every other run, such as the post-sync hook's no-op path.

import { readFileSync } from 'node:fs';
import { renderDefaultConfig } from '../config/load';
import { RUNTIME_BIN, RUNTIME_PACKAGE } from '../config/runtime-package';
import type { Config } from '../config/schema';
import type { Logger } from '../lib/log';
import { underRoot } from '../lib/root';
import type { ReposConfSource } from '../parsers/repos-conf';
import { VERSION } from './version';

export interface RegenerateSummary {
	versions: string[];
	written: string[];
	removed: string[];
}

/**
 * Writes the overlay at `config.overlayDir` under `root`, as `dist-kernel generate` does. `keepVersions`: PVs whose
 * virtual must stay although no repository offers them (installed virtual/dist-kernel versions).
 */
export async function regenerateOverlay(
	root: string,
	config: Config,
	logger: Logger,
	keepVersions: readonly string[] = [],
): Promise<RegenerateSummary> {
	const [{ generateOverlay }, { locateProgram }] = await Promise.all([
		import('../generator/generate-overlay'),
		import('../generator/locate-program'),
	]);
	const result = generateOverlay({
		root,
		config,
		outputDir: underRoot(root, config.overlayDir),
		check: false,
		bundlePath: locateProgram().bundle,
		runtime: { package: RUNTIME_PACKAGE, bin: RUNTIME_BIN, version: VERSION },
		defaultConfig: renderDefaultConfig(),
		logger,
		keepVersions,
	});
	logger.info(
		`overlay ${config.overlayDir}: ${result.written.length} files written, ${result.removed.length} removed; kernel versions: ${result.versions.join(' ') || '(none)'}`,
	);
	return { versions: result.versions, written: result.written, removed: result.removed };
}

/** The repos.conf files under `root` in the order Portage reads them, through the generator's reader. */
export async function readReposConfSources(root: string): Promise<ReposConfSource[]> {
	const { DEFAULT_REPOS_CONF, USER_REPOS_CONF, listConfigFiles } = await import('../generator/read-repos-conf');
	return [
		...listConfigFiles(underRoot(root, DEFAULT_REPOS_CONF)),
		...listConfigFiles(underRoot(root, USER_REPOS_CONF)),
	].map((path) => ({
		path,
		text: readFileSync(path, 'utf8'),
	}));
}
