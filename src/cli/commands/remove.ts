// `dist-kernel remove KV [--package CAT/PF]`: remove the kernel's boot files (kernel-install.eclass pkg_postrm).
import { assertKernelVersion } from '../../lib/validate';
import type { CommandModule } from '../command-module';
import { completePending } from '../../runtime/features/install/complete-pending';
import { assertBootMounted } from '../../runtime/boot/transaction/mount-guard';
import { createRuntimeContext } from '../../runtime/context';
import { validatePackage } from '../../runtime/features/install/pipeline';
import { removeKernel } from '../../runtime/features/install/remove-kernel';

export const removeCommand: CommandModule = {
	register(program, run) {
		program
			.command('remove')
			.description('remove the boot files of kernel KV (what install put there)')
			.argument('<kv>', 'kernel version')
			.option('--package <cat/pf>', 'the package asking')
			.option('--force', "also remove the running kernel's boot files")
			.action(
				run(async (context, kv, options) => {
					const flags = options as { package?: string; force?: boolean };
					validatePackage(flags.package);
					assertKernelVersion(kv as string);
					const ctx = createRuntimeContext(context);
					assertBootMounted(ctx, `dist-kernel remove ${kv as string}`);
					await completePending(ctx);
					await removeKernel(ctx, kv as string, { package: flags.package, force: flags.force });
					return 0;
				}),
			);
	},
};
