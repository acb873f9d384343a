// Placeholder registration: replaced by the owner of the `plugin` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const pluginCommand: CommandModule = {
	register(program, run) {
		program
			.command('plugin')
			.description('(plugin: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'plugin: under construction');
				}),
			);
	},
};
