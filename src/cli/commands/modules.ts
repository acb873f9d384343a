// `dist-kernel modules rebuild [--pretend]`: rebuild stale module packages Portage will not rebuild by itself.
import * as z from 'zod';
import { createRuntimeContext } from '../../runtime/context';
import { rebuildWithoutPackage } from '../../runtime/features/install/removed-package';
import { rebuildModules } from '../../runtime/features/modules/rebuild-modules';
import { type CommandModule, parsed } from '../command-module';

const modulesFlags = z.object({ pretend: z.boolean().optional() });
const packageArgument = z.tuple([z.string()]);

export const modulesCommand: CommandModule = {
	register(program, run) {
		const modules = program.command('modules').description('out-of-tree kernel module packages');
		modules
			.command('rebuild')
			.description('rebuild stale module packages with USE=-dist-kernel (emerge --oneshot --usepkg=n =cat/pkg-ver…)')
			.option('--pretend', 'show what would be rebuilt and the emerge command, run nothing')
			.action(
				run(async (context, input) => {
					const ctx = createRuntimeContext(context);
					await rebuildModules(ctx, { pretend: Boolean(parsed(modulesFlags, input.options).pretend) });
					return 0;
				}),
			);
		modules
			.command('removed')
			.description(
				"rebuild every image that holds the modules of CAT/PF, which is being removed (linux-mod-r1's pkg_postrm)",
			)
			.argument('<cat/pf>', 'the package being removed (${CATEGORY}/${PF})')
			.action(
				run(async (context, input) => {
					const [cpf] = parsed(packageArgument, input.args);
					const ctx = createRuntimeContext(context);
					await rebuildWithoutPackage(ctx, cpf);
					return 0;
				}),
			);
		modules.exitOverride();
	},
};
