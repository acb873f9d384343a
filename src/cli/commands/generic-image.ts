// `dist-kernel generic-image --destdir DIR [--kind initramfs|uki] [KV]`: on a build host, put a generic boot image
// into a kernel package's image directory during src_install (the /etc/portage/env hook `dist-kernel setup
// --build-host` writes calls it), so binary packages carry it and clients run no dracut.
import type { CommandModule } from '../command-module';
import { createRuntimeContext } from '../../runtime/context';
import { buildGenericImage, type GenericKind } from '../../runtime/features/generic-image/build-generic-image';
import { usageError } from '../../lib/errors';

interface GenericImageFlags {
	destdir: string;
	kind?: string;
}

export const genericImageCommand: CommandModule = {
	register(program, run) {
		program
			.command('generic-image')
			.description('build host: put a generic initramfs or UKI beside the kernel in a package image (src_install)')
			.argument('[kv]', 'kernel release (default: the one under DESTDIR/lib/modules)')
			.requiredOption('--destdir <dir>', 'the package image directory (${ED})')
			.option('--kind <kind>', 'initramfs or uki (default: the generic-image setting)')
			.action(
				run(async (context, kv, options) => {
					const flags = options as GenericImageFlags;
					const ctx = createRuntimeContext(context);
					const kind = flags.kind ?? ctx.config.genericImage;
					if (kind === 'no') {
						ctx.logger.info('generic-image = no: the package carries no prebuilt image (clients build their own)');
						return 0;
					}
					if (kind !== 'initramfs' && kind !== 'uki') throw usageError('generic-image.kind', `Expected \`--kind\` to be initramfs or uki, got \`${kind}\``);
					await buildGenericImage(ctx, { destdir: flags.destdir, kv: kv as string | undefined, kind: kind as GenericKind });
					return 0;
				}),
			);
	},
};
