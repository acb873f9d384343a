// `dist-kernel generic-image --destdir DIR [--kind initramfs|uki] [KV]`: on a build host, put a generic boot image
// into a kernel package's image directory during src_install (the /etc/portage/env hook `dist-kernel setup
// --build-host` writes calls it), so binary packages carry it and clients run no dracut.
import * as z from 'zod';
import { usageError } from '../../lib/errors';
import { createRuntimeContext } from '../../runtime/context';
import { buildGenericImage, type GenericKind } from '../../runtime/features/generic-image/build-generic-image';
import { type CommandModule, parsed } from '../command-module';

const kvArgument = z.tuple([z.string().optional()]);
const genericImageFlags = z.object({ destdir: z.string(), kind: z.string().optional() });
const GENERIC_KINDS = ['initramfs', 'uki'] as const satisfies readonly GenericKind[];

export const genericImageCommand: CommandModule = {
	register(program, run) {
		program
			.command('generic-image')
			.description('build host: put a generic initramfs or UKI beside the kernel in a package image (src_install)')
			.argument('[kv]', 'kernel release (default: the one under DESTDIR/lib/modules)')
			.requiredOption('--destdir <dir>', 'the package image directory (${ED})')
			.option('--kind <kind>', 'initramfs or uki (default: the generic-image setting)')
			.action(
				run(async (context, input) => {
					const [kv] = parsed(kvArgument, input.args);
					const flags = parsed(genericImageFlags, input.options);
					const ctx = createRuntimeContext(context);
					const kind = flags.kind ?? ctx.config.genericImage;
					if (kind === 'no') {
						ctx.logger.info('generic-image = no: the package carries no prebuilt image (clients build their own)');
						return 0;
					}
					const generic = GENERIC_KINDS.find((k) => k === kind);
					if (!generic)
						throw usageError('generic-image.kind', `Expected \`--kind\` to be initramfs or uki, got \`${kind}\``);
					await buildGenericImage(ctx, { destdir: flags.destdir, kv, kind: generic });
					return 0;
				}),
			);
	},
};
