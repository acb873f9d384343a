// `dist-kernel clean [--keep N] [--pretend]`: remove old kernels' boot files and unowned module directories.
import * as z from 'zod';
import { listInstalledKernels } from '../../runtime/boot/backends/select';
import { assertBootMounted } from '../../runtime/boot/transaction/mount-guard';
import { createRuntimeContext } from '../../runtime/context';
import { runClean } from '../../runtime/features/clean/run-clean';
import { completePendingQuietly } from '../../runtime/features/install/complete-pending';
import { removeKernel } from '../../runtime/features/install/remove-kernel';
import { type CommandModule, parsed } from '../command-module';

const cleanFlags = z.object({
	keep: z.string().optional(),
	pretend: z.boolean().optional(),
	running: z.string().optional(),
});

export const cleanCommand: CommandModule = {
	register(program, run) {
		program
			.command('clean')
			.description('remove the boot files of all but the newest kernels (never the running or default one)')
			.option('--keep <n>', 'kernels to keep (default: keep-kernels in dist-kernel.conf, 2)')
			.option('--pretend', 'only show what would be removed')
			.option('--running <kv>', 'treat KV as the running kernel (default: uname -r, or $DIST_KERNEL_RUNNING_KV)')
			.action(
				run(async (context, input) => {
					const flags = parsed(cleanFlags, input.options);
					const ctx = createRuntimeContext({
						...context,
						config: () => context.config(flags.keep === undefined ? {} : { keepKernels: flags.keep }),
					});
					// A kernel whose installation an interrupted emerge deferred counts once it is in /boot.
					if (!flags.pretend) {
						assertBootMounted(ctx, 'dist-kernel clean');
						await completePendingQuietly(ctx);
					}
					await runClean(ctx, {
						keep: ctx.config.keepKernels,
						pretend: Boolean(flags.pretend),
						running: flags.running,
						installed: await listInstalledKernels(ctx),
						removeKernel: async (kv) => void (await removeKernel(ctx, kv)),
					});
					return 0;
				}),
			);
	},
};
