// `dist-kernel doctor [--json]`: problems that would bite at the next reboot, each with its fix; exit 1 on errors.
import * as z from 'zod';
import { createRuntimeContext } from '../../runtime/context';
import { renderFindings, runDoctor } from '../../runtime/features/doctor/run-doctor';
import { type CommandModule, parsed } from '../command-module';

const doctorFlags = z.object({ json: z.boolean().optional(), running: z.string().optional() });

export const doctorCommand: CommandModule = {
	register(program, run) {
		program
			.command('doctor')
			.description('check kernels, initramfs contents, module packages, EFI stub and /boot space')
			.option('--json', 'print the findings as JSON')
			.option('--running <kv>', 'treat KV as the running kernel (default: uname -r, or $DIST_KERNEL_RUNNING_KV)')
			.action(
				run(async (context, input) => {
					const opts = parsed(doctorFlags, input.options);
					const ctx = createRuntimeContext(context);
					const findings = await runDoctor(ctx, opts.running === undefined ? {} : { running: opts.running });
					process.stdout.write(opts.json ? `${JSON.stringify({ findings }, null, 2)}\n` : renderFindings(findings));
					return findings.some((f) => f.level === 'error') ? 1 : 0;
				}),
			);
	},
};
