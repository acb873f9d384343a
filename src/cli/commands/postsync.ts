// Placeholder registration: replaced by the owner of the `postsync` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const postsyncCommand: CommandModule = {
	register(program, run) {
		program
			.command('postsync')
			.description('(postsync: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'postsync: under construction');
				}),
			);
	},
};
