// The admin's dracut configuration under the root: effective values (bash sources the files) and a private,
// trust-checked snapshot passed to dracut with explicit --conf/--confdir (dracut silently ignores missing paths,
// which would let the build host's own /etc/dracut.conf.d leak in).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { systemView } from '../../../lib/root';
import { type BashValue, scalarOf } from '../../../parsers/bash-declare';
import { listDropIns } from '../../config-files/drop-in-dirs';
import { sourceBashVariables } from '../../config-files/source-bash';
import { assertTrusted } from '../../config-files/trust';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

export const DRACUT_VARIABLES = [
	'uefi',
	'uefi_stub',
	'uefi_splash_image',
	'uefi_secureboot_cert',
	'uefi_secureboot_key',
	'uefi_secureboot_engine',
	'kernel_cmdline',
	'kernel_image',
	'compress',
	'hostonly',
	'early_microcode',
	'hostonly_cmdline',
] as const;

export interface DracutConfig {
	/** Config files in the order dracut reads them (disk paths). */
	files: string[];
	values: Map<string, BashValue>;
	uefi: boolean;
	uefiStub: string | undefined;
	kernelCmdline: string | undefined;
	secureBootCert: string | undefined;
	secureBootKey: string | undefined;
	secureBootEngine: string | undefined;
	compress: string | undefined;
}

function text(values: Map<string, BashValue>, name: string): string | undefined {
	const value = scalarOf(values.get(name))?.trim();
	return value ? value : undefined;
}

/** dracut's own test: `[[ $uefi == yes ]]`. */
function isYes(value: string | undefined): boolean {
	return value === 'yes';
}

export function dracutConfigFiles(ctx: Pick<RuntimeContext, 'root'>): string[] {
	const main = systemPath(ctx, '/etc/dracut.conf');
	const confDir = systemPath(ctx, '/etc/dracut.conf.d');
	assertTrusted(confDir, '/etc/dracut.conf.d');
	// dracut merges its own defaults directory by basename, the admin's directory winning.
	const dropIns = listDropIns([confDir, systemPath(ctx, '/usr/lib/dracut/dracut.conf.d')], '.conf');
	return [...(existsSync(main) ? [main] : []), ...dropIns];
}

export async function readDracutConfig(ctx: Pick<RuntimeContext, 'root' | 'exec'>): Promise<DracutConfig> {
	const files = dracutConfigFiles(ctx);
	const values = await sourceBashVariables(
		ctx,
		files.map((path) => ({ path, shown: systemView(ctx.root, path) })),
		DRACUT_VARIABLES,
	);
	return {
		files,
		values,
		uefi: isYes(text(values, 'uefi')),
		uefiStub: text(values, 'uefi_stub'),
		kernelCmdline: text(values, 'kernel_cmdline'),
		secureBootCert: text(values, 'uefi_secureboot_cert'),
		secureBootKey: text(values, 'uefi_secureboot_key'),
		secureBootEngine: text(values, 'uefi_secureboot_engine'),
		compress: text(values, 'compress'),
	};
}

export interface StagedDracutConfig {
	conf: string;
	confDir: string;
}

export interface StageOptions {
	/** The UKI gets /etc/kernel/cmdline: drop dracut's kernel_cmdline, which dracut would prepend to it. */
	replaceKernelCmdline?: boolean | undefined;
}

/**
 * Copies exactly the files we checked into `workDir` (closing the window between check and use) and adds a
 * last drop-in that turns off dracut's own signing: we sign afterwards with the key resolved under the root.
 */
export function stageDracutConfig(
	ctx: Pick<RuntimeContext, 'root'>,
	workDir: string,
	options: StageOptions = {},
): StagedDracutConfig {
	const conf = join(workDir, 'dracut.conf');
	const confDir = join(workDir, 'dracut.conf.d');
	mkdirSync(confDir, { mode: 0o700 });
	const main = systemPath(ctx, '/etc/dracut.conf');
	const adminDir = systemPath(ctx, '/etc/dracut.conf.d');
	if (existsSync(main)) {
		assertTrusted(main, '/etc/dracut.conf');
		copyFileSync(main, conf);
	} else {
		writeFileSync(conf, '', { mode: 0o600 });
	}
	// Vendor drop-ins of the root (e.g. linux-mod-r1's add_drivers snippets) too: dracut would read its *host's*
	// /usr/lib/dracut/dracut.conf.d, and merges it with --confdir by basename, so the root's copies shadow them.
	for (const file of listDropIns([adminDir, systemPath(ctx, '/usr/lib/dracut/dracut.conf.d')], '.conf')) {
		assertTrusted(file, systemView(ctx.root, file));
		copyFileSync(file, join(confDir, basename(file)));
	}
	const lines = [
		'# dist-kernel signs the UKI itself (sbsign) after dracut, with the key found under the target root.',
		'uefi_secureboot_cert=""',
		'uefi_secureboot_key=""',
	];
	if (options.replaceKernelCmdline)
		lines.push('# The UKI command line is /etc/kernel/cmdline, passed with --kernel-cmdline.', 'kernel_cmdline=""');
	writeFileSync(join(confDir, 'zzzz-dist-kernel.conf'), `${lines.join('\n')}\n`, { mode: 0o600 });
	return { conf, confDir };
}
