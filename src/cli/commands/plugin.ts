// `dist-kernel plugin dist-kernel add KV ENTRY_DIR IMAGE [INITRD…]` / `… remove KV ENTRY_DIR`: the body of our
// kernel-install(8) plugin. Quiet unless KERNEL_INSTALL_VERBOSE=1 (or --verbose); warnings always show.
import * as z from 'zod';
import type { Logger } from '../../lib/log';
import { createRuntimeContext } from '../../runtime/context';
import { runKernelInstallPlugin } from '../../runtime/features/install/kernel-install-plugin';
import { decidePluginNoOp, type PluginInvocation, pluginVerbose } from '../../runtime/features/install/plugin-decision';
import { type CommandModule, parsed } from '../command-module';

function quietUnless(verbose: boolean, logger: Logger): Logger {
	if (verbose) return logger;
	return { ...logger, info: () => {}, debug: () => {}, begin: () => () => {} };
}

const pluginArguments = z.tuple([z.string(), z.string(), z.string(), z.string(), z.array(z.string())]);

export const pluginCommand: CommandModule = {
	register(program, run) {
		program
			.command('plugin')
			.description('kernel-install(8) plugin entry point (called by /usr/lib/kernel/install.d/50-dist-kernel.install)')
			.argument('<name>', 'plugin name (dist-kernel)')
			.argument('<command>', 'add or remove')
			.argument('<kv>', 'kernel version')
			.argument('<entry-dir>', 'ENTRY_DIR_ABS from kernel-install')
			.argument('[files...]', 'add: IMAGE [INITRD…]')
			.action(
				run(async (context, input) => {
					const [name, command, kv, entryDir, files] = parsed(pluginArguments, input.args);
					const verbose = pluginVerbose(context.verbose, context.env);
					const logger = quietUnless(verbose, context.logger);
					const [image, ...initrds] = files;
					const inv: PluginInvocation = { name, command, kv, entryDir, image, initrds };
					// Calls that build nothing need no configuration (main.ts usually answers them before this point).
					const noOp = decidePluginNoOp(inv, context.env);
					if (noOp) {
						logger.info(`dist-kernel plugin: ${noOp.action}`);
						return noOp.exitCode;
					}
					const ctx = createRuntimeContext({ ...context, logger });
					const outcome = await runKernelInstallPlugin(ctx, inv);
					ctx.logger.info(`dist-kernel plugin: ${outcome.action}`);
					return outcome.exitCode;
				}),
			);
	},
};
