// Placeholder registration: replaced by the owner of the `remove` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const removeCommand: CommandModule = {
	register(program, run) {
		program
			.command('remove')
			.description('(remove: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'remove: under construction');
				}),
			);
	},
};
