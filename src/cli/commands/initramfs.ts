// `dist-kernel initramfs KV [--package CAT/PF]`: rebuild only the initramfs (or the UKI) of an installed kernel
// (dist-kernel_reinstall_initramfs, linux-mod-r1_pkg_postinst). --package lets the coalescing logic defer it.
import * as z from 'zod';
import { assertBootMounted } from '../../runtime/boot/transaction/mount-guard';
import { createRuntimeContext } from '../../runtime/context';
import { completePending } from '../../runtime/features/install/complete-pending';
import { regenerateInitramfs } from '../../runtime/features/install/install-kernel';
import { validateInstallRequest } from '../../runtime/features/install/pipeline';
import { type CommandModule, parsed } from '../command-module';

const kvArgument = z.tuple([z.string()]);
const initramfsFlags = z.object({ package: z.string().optional() });

export const initramfsCommand: CommandModule = {
	register(program, run) {
		program
			.command('initramfs')
			.description('rebuild the initramfs (or unified kernel image) of kernel KV and install it')
			.argument('<kv>', 'kernel version')
			.option('--package <cat/pf>', 'the package asking (coalesces rebuilds within one emerge)')
			.action(
				run(async (context, input) => {
					const [kv] = parsed(kvArgument, input.args);
					const flags = parsed(initramfsFlags, input.options);
					const ctx = createRuntimeContext(context);
					validateInstallRequest(ctx, kv, { package: flags.package });
					assertBootMounted(ctx, `dist-kernel initramfs ${kv}`);
					const completed = await completePending(ctx);
					// A module package's pkg_postinst after a killed emerge (`emerge --resume`): the deferred image just
					// built already holds this package's modules (merged before its pkg_postinst), a second build
					// would be the same image.
					if (flags.package && completed.includes(kv)) {
						ctx.logger.info(`the image of ${kv} completed just now already holds the modules of ${flags.package}`);
						return 0;
					}
					await regenerateInitramfs(ctx, kv, { package: flags.package });
					return 0;
				}),
			);
	},
};
