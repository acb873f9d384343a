// `dist-kernel generate`: configuration → repository scan → plan → render → compare or write.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/schema';
import { DistKernelError } from '../lib/errors';
import type { Logger } from '../lib/log';
import { BUNDLE_CHUNK_DIR, BUNDLE_ENTRY } from './bundle-layout';
import { keepInstalledVirtuals } from './keep-installed';
import { planVirtuals, providersFor } from './plan-virtuals';
import { readRepositories } from './read-repos-conf';
import { OVERLAY_NAME, type OverlayFiles, renderOverlay } from './render-overlay';
import { scanKernelEbuilds } from './scan-kernels';
import type { RuntimeInfo } from './template-contexts';
import { type OverlayChanges, syncOverlay } from './write-overlay';

export interface GenerateOptions {
	/** System root the repositories are read under. */
	root: string;
	config: Config;
	/** Host directory of the overlay. */
	outputDir: string;
	/** Compare only. */
	check: boolean;
	/** Path of the program bundle's entry file to ship (with the chunks directory beside it). */
	bundlePath: string;
	runtime: RuntimeInfo;
	defaultConfig: string;
	logger: Logger;
	/** Versions (PV) whose virtual stays although no repository offers them: the installed virtual/dist-kernel ones. */
	keepVersions?: readonly string[];
}

export interface GenerateResult extends OverlayChanges {
	files: OverlayFiles;
	versions: string[];
	repositories: string[];
}

/** The entry file and every chunk beside it, by path relative to the entry's directory. */
function readBundle(path: string): Map<string, Buffer> {
	try {
		const files = new Map([[BUNDLE_ENTRY, readFileSync(path)]]);
		const chunks = join(dirname(path), BUNDLE_CHUNK_DIR);
		if (existsSync(chunks))
			for (const name of readdirSync(chunks).sort())
				files.set(`${BUNDLE_CHUNK_DIR}/${name}`, readFileSync(join(chunks, name)));
		return files;
	} catch (error) {
		throw new DistKernelError('generate.bundle', `cannot read the program bundle: ${path}`, {
			hint: 'run `npm run build` in the dist-kernel checkout',
			cause: error,
		});
	}
}

/** Everything `generate` would write, without touching the output directory. */
export function buildOverlay(options: Omit<GenerateOptions, 'check' | 'outputDir'> & { outputDir?: string }): {
	files: OverlayFiles;
	versions: string[];
	repositories: string[];
} {
	const { config, logger } = options;
	const repositories = readRepositories(options.root, logger);
	const { ebuilds, scanned } = scanKernelEbuilds({
		repositories,
		only: config.repositories,
		exclude: OVERLAY_NAME,
		excludePath: options.outputDir ?? '',
		packages: config.kernelPackages,
		logger,
	});
	if (scanned.length === 0) logger.warn('no repositories to scan: is /etc/portage/repos.conf present under the root?');
	const providers = providersFor(config.kernelPackages);
	const virtuals = keepInstalledVirtuals(planVirtuals(ebuilds, providers, logger), options.keepVersions ?? []);
	if (virtuals.length === 0)
		logger.warn(`no ebuilds of ${config.kernelPackages.join(', ')} found: virtual/dist-kernel has no versions`);
	const files = renderOverlay({
		config,
		runtime: options.runtime,
		virtuals,
		providers,
		bundle: readBundle(options.bundlePath),
		defaultConfig: options.defaultConfig,
	});
	return { files, versions: virtuals.map((v) => v.version.text), repositories: scanned.map((r) => r.name) };
}

export function generateOverlay(options: GenerateOptions): GenerateResult {
	const built = buildOverlay(options);
	const changes = syncOverlay(options.outputDir, built.files, { apply: !options.check });
	return { ...built, ...changes };
}
