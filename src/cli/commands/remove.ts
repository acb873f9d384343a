// `dist-kernel remove KV [--package CAT/PF]`: remove the kernel's boot files (kernel-install.eclass pkg_postrm).

import * as z from 'zod';
import { assertKernelVersion } from '../../lib/validate';
import { assertBootMounted } from '../../runtime/boot/transaction/mount-guard';
import { createRuntimeContext } from '../../runtime/context';
import { completePending } from '../../runtime/features/install/complete-pending';
import { validatePackage } from '../../runtime/features/install/pipeline';
import { removeKernel } from '../../runtime/features/install/remove-kernel';
import { type CommandModule, parsed } from '../command-module';

const kvArgument = z.tuple([z.string()]);
const removeFlags = z.object({ package: z.string().optional(), force: z.boolean().optional() });

export const removeCommand: CommandModule = {
	register(program, run) {
		program
			.command('remove')
			.description('remove the boot files of kernel KV (what install put there)')
			.argument('<kv>', 'kernel version')
			.option('--package <cat/pf>', 'the package asking')
			.option('--force', "also remove the running kernel's boot files")
			.action(
				run(async (context, input) => {
					const [kv] = parsed(kvArgument, input.args);
					const flags = parsed(removeFlags, input.options);
					validatePackage(flags.package);
					assertKernelVersion(kv);
					const ctx = createRuntimeContext(context);
					assertBootMounted(ctx, `dist-kernel remove ${kv}`);
					await completePending(ctx);
					await removeKernel(ctx, kv, { package: flags.package, force: flags.force });
					return 0;
				}),
			);
	},
};
