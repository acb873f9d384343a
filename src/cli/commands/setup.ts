// Placeholder registration: replaced by the owner of the `setup` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const setupCommand: CommandModule = {
	register(program, run) {
		program
			.command('setup')
			.description('(setup: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'setup: under construction');
				}),
			);
	},
};
