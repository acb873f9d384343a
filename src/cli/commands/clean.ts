// Placeholder registration: replaced by the owner of the `clean` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const cleanCommand: CommandModule = {
	register(program, run) {
		program
			.command('clean')
			.description('(clean: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'clean: under construction');
				}),
			);
	},
};
