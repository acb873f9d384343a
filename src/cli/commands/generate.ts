// `dist-kernel generate [--check] [--output DIR]`: writes (or compares) the dist-kernel overlay.
import { resolve } from 'node:path';
import { Option } from 'commander';
import * as z from 'zod';
import { type ConfigOverrides, loadConfig, renderDefaultConfig } from '../../config/load';
import { RUNTIME_BIN, RUNTIME_PACKAGE } from '../../config/runtime-package';
import { configSchema, toKebab } from '../../config/schema';
import { usageError } from '../../lib/errors';
import { isDirectory } from '../../lib/path-kind';
import { underRoot } from '../../lib/root';
import { assertSafePath, printable } from '../../lib/validate';
import { installedVirtuals } from '../../runtime/portage/vdb/installed-virtuals';
import { type CommandModule, parsed } from '../command-module';
import { VERSION } from '../version';

/** Configuration keys that can be given on the command line of `generate` (same names as in the file). */
const CONFIG_FLAGS = ['kernelPackages', 'repositories', 'overlayDir', 'maintainerEmail', 'maintainerName'] as const;

const generateFlags = z.object({
	check: z.boolean().optional(),
	output: z.string().optional(),
	kernelPackages: z.array(z.string()).optional(),
	repositories: z.array(z.string()).optional(),
	overlayDir: z.string().optional(),
	maintainerEmail: z.string().optional(),
	maintainerName: z.string().optional(),
});

export const generateCommand: CommandModule = {
	register(program, run) {
		const command = program
			.command('generate')
			.description('write the dist-kernel overlay (virtual/dist-kernel versions, eclasses, runtime package)')
			.option('--check', 'compare instead of writing; exit 1 listing the files that differ')
			.option('--output <dir>', 'write the overlay here (a path on this host) instead of overlay-dir under --root');
		for (const key of CONFIG_FLAGS) {
			const schema = configSchema.shape[key];
			const isList = schema.def.innerType.type === 'array';
			command.addOption(new Option(`--${toKebab(key)} <${isList ? 'values...' : 'value'}>`, schema.description ?? key));
		}
		command.action(
			run(async (context, input) => {
				const flags = parsed(generateFlags, input.options);
				const rootGiven = input.command.parent?.getOptionValueSource('root') === 'cli';
				// Loaded on demand: handlebars and the templates stay out of every other command's start-up.
				const [{ generateOverlay }, { locateProgram }] = await Promise.all([
					import('../../generator/generate-overlay'),
					import('../../generator/locate-program'),
				]);
				const location = locateProgram();

				let root = context.root;
				let outputDir: string | undefined =
					flags.output === undefined ? undefined : resolve(assertSafePath(resolve(flags.output), '--output'));
				if (location.checkout && !rootGiven && outputDir === undefined) {
					root = location.checkout.sampleRoot;
					outputDir = location.checkout.overlay;
					context.logger.info(
						`source checkout: generating ${outputDir} from the sample tree ${root} (give --root or --output to choose)`,
					);
				}

				if (!isDirectory(root))
					throw usageError('input.root', `Expected --root to be an existing directory, got \`${printable(root)}\``);

				const overrides: ConfigOverrides = {};
				for (const key of CONFIG_FLAGS) if (flags[key] !== undefined) overrides[key] = flags[key];
				const config = loadConfig(root, overrides);
				outputDir ??= underRoot(root, config.overlayDir);

				const check = Boolean(flags.check) || context.dryRun;
				// Same rule as the post-sync hook: an installed virtual keeps its ebuild, or the two would undo each other.
				const keepVersions = installedVirtuals(root, context.logger).map((v) => v.pv);
				const result = generateOverlay({
					root,
					config,
					outputDir,
					check,
					bundlePath: location.bundle,
					runtime: { package: RUNTIME_PACKAGE, bin: RUNTIME_BIN, version: VERSION },
					defaultConfig: renderDefaultConfig(),
					logger: context.logger,
					keepVersions,
				});

				const { logger } = context;
				logger.info(
					`kernel versions: ${result.versions.join(' ') || '(none)'} (from ${result.repositories.join(', ') || 'no repository'})`,
				);
				const differences = [
					...result.written.map((p) => `changed: ${p}`),
					...result.removed.map((p) => `stale:   ${p}`),
				];
				if (check) {
					if (differences.length === 0) {
						logger.info(`overlay is up to date: ${outputDir} (${result.unchanged} files)`);
						return 0;
					}
					const verb = context.dryRun && !flags.check ? 'would change' : 'differs from a fresh generate';
					logger[flags.check ? 'error' : 'info'](
						`overlay ${verb}: ${outputDir}\n${differences.map((d) => `  ${d}`).join('\n')}`,
					);
					return flags.check ? 1 : 0;
				}
				for (const path of result.written) logger.info(`wrote ${path}`);
				for (const path of result.removed) logger.info(`removed ${path}`);
				logger.info(
					`overlay ${outputDir}: ${result.written.length} written, ${result.removed.length} removed, ${result.unchanged} unchanged`,
				);
				return 0;
			}),
		);
	},
};
