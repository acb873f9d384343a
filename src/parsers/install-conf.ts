// kernel-install's install.conf (shell, read by letting bash source it) → typed settings. Pure: takes the
// variables bash printed. Unknown layouts are kept as "other": kernel-install(8) only defines bls, uki, other,
// and Gentoo's installkernel adds compat, grub and efistub.
import type { BashValue } from './bash-declare';
import { scalarOf } from './bash-declare';

export type Layout = 'bls' | 'uki' | 'compat' | 'grub' | 'efistub' | 'other';
const LAYOUTS: readonly Layout[] = ['bls', 'uki', 'compat', 'grub', 'efistub', 'other'];

export interface InstallConf {
	layout: Layout | undefined;
	initrdGenerator: string | undefined;
	ukiGenerator: string | undefined;
	bootRoot: string | undefined;
	machineId: string | undefined;
}

export const INSTALL_CONF_VARIABLES = ['layout', 'initrd_generator', 'uki_generator', 'BOOT_ROOT', 'MACHINE_ID'] as const;

function nonEmpty(value: string | undefined): string | undefined {
	const trimmed = value?.trim();
	return trimmed ? trimmed : undefined;
}

export function interpretInstallConf(vars: Map<string, BashValue>): InstallConf {
	const layout = nonEmpty(scalarOf(vars.get('layout')));
	return {
		layout: layout === undefined ? undefined : LAYOUTS.includes(layout as Layout) ? (layout as Layout) : 'other',
		initrdGenerator: nonEmpty(scalarOf(vars.get('initrd_generator'))),
		ukiGenerator: nonEmpty(scalarOf(vars.get('uki_generator'))),
		bootRoot: nonEmpty(scalarOf(vars.get('BOOT_ROOT'))),
		machineId: nonEmpty(scalarOf(vars.get('MACHINE_ID'))),
	};
}

/** systemd: a machine id is 32 lower-case hex digits; "uninitialized" and anything else mean none. */
export function parseMachineId(text: string): string | undefined {
	const id = text.trim();
	return /^[0-9a-f]{32}$/.test(id) ? id : undefined;
}
