// Placeholder registration: replaced by the owner of the `status` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const statusCommand: CommandModule = {
	register(program, run) {
		program
			.command('status')
			.description('(status: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'status: under construction');
				}),
			);
	},
};
