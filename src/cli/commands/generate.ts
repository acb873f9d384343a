// Placeholder registration: replaced by the owner of the `generate` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const generateCommand: CommandModule = {
	register(program, run) {
		program
			.command('generate')
			.description('(generate: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'generate: under construction');
				}),
			);
	},
};
