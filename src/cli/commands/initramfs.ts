// `dist-kernel initramfs KV [--package CAT/PF]`: rebuild only the initramfs (or the UKI) of an installed kernel
// (dist-kernel_reinstall_initramfs, linux-mod-r1_pkg_postinst). --package lets the coalescing logic defer it.
import type { CommandModule } from '../command-module';
import { completePending } from '../../runtime/features/install/complete-pending';
import { assertBootMounted } from '../../runtime/boot/transaction/mount-guard';
import { createRuntimeContext } from '../../runtime/context';
import { regenerateInitramfs } from '../../runtime/features/install/install-kernel';
import { validateInstallRequest } from '../../runtime/features/install/pipeline';

export const initramfsCommand: CommandModule = {
	register(program, run) {
		program
			.command('initramfs')
			.description('rebuild the initramfs (or unified kernel image) of kernel KV and install it')
			.argument('<kv>', 'kernel version')
			.option('--package <cat/pf>', 'the package asking (coalesces rebuilds within one emerge)')
			.action(
				run(async (context, kv, options) => {
					const flags = options as { package?: string };
					const ctx = createRuntimeContext(context);
					validateInstallRequest(ctx, kv as string, { package: flags.package });
					assertBootMounted(ctx, `dist-kernel initramfs ${kv as string}`);
					const completed = await completePending(ctx);
					// A module package's pkg_postinst after a killed emerge (`emerge --resume`): the deferred image just
					// built already holds this package's modules (merged before its pkg_postinst), a second build
					// would be the same image.
					if (flags.package && completed.includes(kv as string)) {
						ctx.logger.info(`the image of ${kv as string} completed just now already holds the modules of ${flags.package}`);
						return 0;
					}
					await regenerateInitramfs(ctx, kv as string, { package: flags.package });
					return 0;
				}),
			);
	},
};
