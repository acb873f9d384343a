// Placeholder registration: replaced by the owner of the `doctor` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const doctorCommand: CommandModule = {
	register(program, run) {
		program
			.command('doctor')
			.description('(doctor: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'doctor: under construction');
				}),
			);
	},
};
