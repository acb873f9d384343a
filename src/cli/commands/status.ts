// `dist-kernel status [--json] [--running KV]`: kernels, running kernel, default entry, stale module packages.
import * as z from 'zod';
import { createRuntimeContext } from '../../runtime/context';
import { completePendingQuietly } from '../../runtime/features/install/complete-pending';
import { collectStatus } from '../../runtime/features/status/collect-status';
import { renderStatus } from '../../runtime/features/status/render-status';
import { collectSecureBoot } from '../../runtime/images/secureboot/secureboot-status';
import { type CommandModule, parsed } from '../command-module';

const statusFlags = z.object({ json: z.boolean().optional(), running: z.string().optional() });

export const statusCommand: CommandModule = {
	register(program, run) {
		program
			.command('status')
			.description('show installed and running kernels, the default boot entry and stale module packages')
			.option('--json', 'print a JSON report')
			.option('--running <kv>', 'treat KV as the running kernel (default: uname -r, or $DIST_KERNEL_RUNNING_KV)')
			.action(
				run(async (context, input) => {
					const opts = parsed(statusFlags, input.options);
					const ctx = createRuntimeContext(context);
					await completePendingQuietly(ctx);
					const report = {
						...collectStatus(ctx, opts.running === undefined ? {} : { running: opts.running }),
						secureBoot: await collectSecureBoot(ctx),
					};
					process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
					return 0;
				}),
			);
	},
};
