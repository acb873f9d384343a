// Placeholder registration: replaced by the owner of the `install` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const installCommand: CommandModule = {
	register(program, run) {
		program
			.command('install')
			.description('(install: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'install: under construction');
				}),
			);
	},
};
