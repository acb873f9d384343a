// `dist-kernel setup [--eclass-overrides|--no-eclass-overrides] [--main-repo NAME] [--undo]`.
import * as z from 'zod';
import { runSetup } from '../../runtime/features/setup/run-setup';
import { undoSetup } from '../../runtime/features/setup/undo-setup';
import { installedVirtuals } from '../../runtime/portage/vdb/installed-virtuals';
import { type CommandModule, parsed } from '../command-module';
import { readReposConfSources, regenerateOverlay } from '../regenerate-overlay';

const setupFlags = z.object({
	eclassOverrides: z.boolean().optional(),
	mainRepo: z.string().optional(),
	buildHost: z.boolean().optional(),
	undo: z.boolean().optional(),
});

export const setupCommand: CommandModule = {
	register(program, run) {
		program
			.command('setup')
			.description('adopt dist-kernel: repos.conf entry, configuration file, generated overlay (--undo removes them)')
			.option('--eclass-overrides', "make the main repository's kernel and module ebuilds use dist-kernel's eclasses")
			.option('--no-eclass-overrides', 'leave the main repository with its own eclasses (the default)')
			.option('--main-repo <name>', 'repository for --eclass-overrides (default: main-repo in repos.conf, else gentoo)')
			.option('--build-host', 'kernel binary packages built here carry a generic boot image (see generic-image)')
			.option('--no-build-host', 'remove the build-host hooks an earlier setup wrote')
			.option('--undo', 'remove what an earlier setup added')
			.action(
				run(async (context, input) => {
					const flags = parsed(setupFlags, input.options);
					const { root, dryRun, logger, exec } = context;
					if (flags.undo) {
						undoSetup({ root, dryRun, logger, exec });
						return 0;
					}
					const sources = await readReposConfSources(root);
					await runSetup(
						{ root, dryRun, logger, exec },
						{
							eclassOverrides: flags.eclassOverrides,
							mainRepo: flags.mainRepo,
							buildHost: flags.buildHost,
							reposConf: () => sources,
							generate: async (config) => {
								await regenerateOverlay(
									root,
									config,
									logger,
									installedVirtuals(root, logger).map((v) => v.pv),
								);
							},
						},
					);
					return 0;
				}),
			);
	},
};
