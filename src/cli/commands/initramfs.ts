// Placeholder registration: replaced by the owner of the `initramfs` command.
import type { CommandModule } from '../program';
import { DistKernelError } from '../../lib/errors';

export const initramfsCommand: CommandModule = {
	register(program, run) {
		program
			.command('initramfs')
			.description('(initramfs: under construction)')
			.allowUnknownOption()
			.allowExcessArguments()
			.action(
				run(async () => {
					throw new DistKernelError('cli.unavailable', 'initramfs: under construction');
				}),
			);
	},
};
