// `dist-kernel verify KV [--json] [--fstype TYPE] [--accel auto|kvm|tcg] [--timeout S]`: boot the installed
// image of KV in QEMU against a test root; exit 0 when the guest proved it reached its init, 1 when its kernel
// started and the boot failed, 77 when this machine could not run the guest (says nothing about the image).
import * as z from 'zod';
import { EXIT_SKIP_REST, usageError } from '../../lib/errors';
import { createRuntimeContext } from '../../runtime/context';
import { verifyInstalled } from '../../runtime/features/verify/verify-installed';
import { describeRecord } from '../../runtime/images/verify/verify-kernel';
import { type CommandModule, parsed } from '../command-module';

const kvArgument = z.tuple([z.string()]);
const verifyFlags = z.object({
	json: z.boolean().optional(),
	fstype: z.string().optional(),
	accel: z.string().optional(),
	timeout: z.string().optional(),
});
const ACCELS = ['auto', 'kvm', 'tcg'] as const;

export const verifyCommand: CommandModule = {
	register(program, run) {
		program
			.command('verify')
			.description(
				'boot the installed kernel KV (initramfs or UKI) in QEMU against a test root and check that it reaches its init',
			)
			.argument('<kv>', 'kernel version, e.g. 6.6.30-gentoo-dist')
			.option('--json', 'print the result as JSON')
			.option('--fstype <type>', 'filesystem type of the test root (default: that of the root filesystem)')
			.option('--accel <accel>', 'auto, kvm or tcg (default: verify-accel)')
			.option('--timeout <seconds>', 'stop the guest after this many seconds (default: verify-timeout)')
			.action(
				run(async (context, input) => {
					const [kv] = parsed(kvArgument, input.args);
					const flags = parsed(verifyFlags, input.options);
					const accel = ACCELS.find((a) => a === flags.accel);
					if (flags.accel !== undefined && !accel)
						throw usageError('input.accel', `Expected \`--accel\` to be auto, kvm or tcg, got \`${flags.accel}\``);
					if (flags.fstype !== undefined && !/^[a-z0-9]+$/.test(flags.fstype))
						throw usageError(
							'input.fstype',
							`Expected \`--fstype\` to be a filesystem type such as ext4, got \`${flags.fstype}\``,
						);
					const timeout = flags.timeout === undefined ? undefined : Number(flags.timeout);
					if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 10))
						throw usageError(
							'input.timeout',
							`Expected \`--timeout\` to be a whole number of seconds ≥ 10, got \`${flags.timeout}\``,
						);
					const ctx = createRuntimeContext(context);
					const record = await verifyInstalled(ctx, kv, { fsType: flags.fstype, accel, timeout });
					if (!record) return 0;
					if (flags.json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
					if (record.result === 'verified') ctx.logger.info(describeRecord(record));
					else if (record.result === 'unavailable') ctx.logger.warn(describeRecord(record));
					else ctx.logger.error(describeRecord(record));
					if (record.accel && record.accelReason)
						ctx.logger.info(`accelerator: ${record.accel} (${record.accelReason})`);
					for (const note of record.notes) ctx.logger.info(`note: ${note}`);
					return record.result === 'verified' ? 0 : record.result === 'unavailable' ? EXIT_SKIP_REST : 1;
				}),
			);
	},
};
