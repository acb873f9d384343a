// `dist-kernel install KV [--image PATH] [--package CAT/PF]`: the kernel install pipeline (kernel-install.eclass
// pkg_postinst / pkg_config): initramfs or UKI, then the install backend.
import * as z from 'zod';
import { assertBootMounted } from '../../runtime/boot/transaction/mount-guard';
import { createRuntimeContext } from '../../runtime/context';
import { completePending } from '../../runtime/features/install/complete-pending';
import { installKernel } from '../../runtime/features/install/install-kernel';
import { validateInstallRequest } from '../../runtime/features/install/pipeline';
import { type CommandModule, parsed } from '../command-module';

const kvArgument = z.tuple([z.string()]);
const installFlags = z.object({
	image: z.string().optional(),
	package: z.string().optional(),
	force: z.boolean().optional(),
});

export const installCommand: CommandModule = {
	register(program, run) {
		program
			.command('install')
			.description('install kernel KV: build its initramfs (or UKI) with dracut, then install it to /boot')
			.argument('<kv>', 'kernel version, e.g. 6.6.30-gentoo-dist')
			.option('--image <path>', 'kernel image (default: /lib/modules/KV/vmlinuz, then /usr/src/linux-KV)')
			.option('--package <cat/pf>', 'the package asking (kernel-install.eclass passes ${CATEGORY}/${PF})')
			.option('--force', 'install without boot verification (verify-boot = qemu), as the default entry')
			.action(
				run(async (context, input) => {
					const [kv] = parsed(kvArgument, input.args);
					const flags = parsed(installFlags, input.options);
					const ctx = createRuntimeContext(context);
					validateInstallRequest(ctx, kv, { image: flags.image, package: flags.package });
					assertBootMounted(ctx, flags.package ? `emerge --config '=${flags.package}'` : `dist-kernel install ${kv}`);
					await completePending(ctx);
					await installKernel(ctx, kv, { image: flags.image, package: flags.package, skipVerify: flags.force });
					return 0;
				}),
			);
	},
};
