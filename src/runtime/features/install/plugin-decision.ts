// What our kernel-install plugin does with a call, decided from its arguments and environment alone (no config,
// no files): every check on the input, and the calls it answers without building anything. Kept apart from the
// build so the command line can answer those calls before loading the rest of the program (they run in every
// kernel-install and emerge phase).
import { usageError } from '../../../lib/errors';
import { assertKernelVersion, assertSafePath, printable } from '../../../lib/validate';
import { PIPELINE_ENV } from '../../boot/backends/pipeline-env';

export const PLUGIN_NAME = 'dist-kernel';

export interface PluginInvocation {
	name: string;
	command: string;
	kv: string;
	entryDir: string;
	image?: string | undefined;
	initrds: string[];
}

export type PluginOutcome = { exitCode: number; action: string };

/** Throws a typed usage error for bad input; returns the outcome when nothing is to be built, else undefined. */
export function decidePluginNoOp(inv: PluginInvocation, env: NodeJS.ProcessEnv): PluginOutcome | undefined {
	if (inv.name !== PLUGIN_NAME)
		throw usageError(
			'plugin.unknown',
			`Expected the plugin name to be \`${PLUGIN_NAME}\`, got \`${printable(inv.name)}\``,
		);
	assertKernelVersion(inv.kv);
	assertSafePath(inv.entryDir, 'ENTRY_DIR');
	if (inv.command === 'remove') {
		// kernel-install removes ENTRY_DIR itself; nothing we generate lives anywhere else.
		return { exitCode: 0, action: 'nothing to remove' };
	}
	if (inv.command !== 'add')
		throw usageError(
			'plugin.command',
			`Expected the plugin command to be add or remove, got \`${printable(inv.command)}\``,
		);
	if (!inv.image) throw usageError('plugin.args', 'Expected `add KV ENTRY_DIR IMAGE [INITRD…]`, got no IMAGE');
	assertSafePath(inv.image, 'IMAGE');
	for (const initrd of inv.initrds) assertSafePath(initrd, 'INITRD');

	if (env[PIPELINE_ENV] === '1') return { exitCode: 0, action: 'dist-kernel pipeline already built the initramfs' };
	if (inv.initrds.length > 0) return { exitCode: 0, action: 'an initrd was given' };
	const generator = env['KERNEL_INSTALL_INITRD_GENERATOR'];
	if (generator && generator !== PLUGIN_NAME)
		return { exitCode: 0, action: `initrd_generator=${generator} is configured` };
	if (env['KERNEL_INSTALL_IMAGE_TYPE'] === 'uki') return { exitCode: 0, action: 'the image is already a UKI' };
	return undefined;
}

/** Quiet unless KERNEL_INSTALL_VERBOSE=1 (or --verbose); warnings always show. */
export function pluginVerbose(verbose: boolean, env: NodeJS.ProcessEnv): boolean {
	return verbose || env['KERNEL_INSTALL_VERBOSE'] === '1';
}
