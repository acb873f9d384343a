// Placeholder registration: replaced by the owner of the `modules` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const modulesCommand: CommandModule = {
	register(program, run) {
		program
			.command('modules')
			.description('(modules: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'modules: under construction');
				}),
			);
	},
};
