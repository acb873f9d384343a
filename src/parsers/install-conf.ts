// install.conf (shell, read by letting bash source it) → typed settings, as Gentoo's installkernel and systemd's
// kernel-install read it. Pure: takes the variables bash printed and the environment. The INSTALLKERNEL_LAYOUT /
// _INITRD_GENERATOR / _UKI_GENERATOR variables override the file, as installkernel does. kernel-install(8) defines
// the layouts bls, uki and other; Gentoo's installkernel adds compat, grub and efistub. Anything else is an error:
// a layout we do not know could only be silently ignored.
import { DistKernelError, type ErrorCode } from '../lib/errors';
import type { BashValue } from './bash-declare';
import { scalarOf } from './bash-declare';

export type Layout = 'bls' | 'uki' | 'compat' | 'grub' | 'efistub' | 'other';
export const LAYOUTS: readonly Layout[] = ['compat', 'grub', 'bls', 'uki', 'efistub', 'other'];

export interface InstallConf {
	layout: Layout | undefined;
	initrdGenerator: string | undefined;
	ukiGenerator: string | undefined;
	bootRoot: string | undefined;
	machineId: string | undefined;
}

export const INSTALL_CONF_VARIABLES = [
	'layout',
	'initrd_generator',
	'uki_generator',
	'BOOT_ROOT',
	'MACHINE_ID',
] as const;

/** installkernel: these environment variables win over the file's values. */
export const INSTALLKERNEL_OVERRIDES = {
	layout: 'INSTALLKERNEL_LAYOUT',
	initrdGenerator: 'INSTALLKERNEL_INITRD_GENERATOR',
	ukiGenerator: 'INSTALLKERNEL_UKI_GENERATOR',
} as const;

function nonEmpty(value: string | undefined): string | undefined {
	const trimmed = value?.trim();
	return trimmed ? trimmed : undefined;
}

function shown(value: string): string {
	return JSON.stringify(value).slice(1, -1);
}

function configError(code: ErrorCode, message: string, hint: string): DistKernelError {
	return new DistKernelError(code, message, { exitCode: 2, hint });
}

export function parseLayout(value: string, source: string): Layout {
	if ((LAYOUTS as readonly string[]).includes(value)) return value as Layout;
	throw configError(
		'install-conf.layout',
		`unknown layout in ${source}: \`${shown(value)}\``,
		`set layout= to one of ${LAYOUTS.join(', ')} (kernel-install(8) and Gentoo's installkernel define no other)`,
	);
}

/** Generator names end up in file names and the install log: plain words only (dracut, ukify, none…). */
function parseGenerator(value: string, key: string, source: string): string {
	if (/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(value)) return value;
	throw configError(
		'install-conf.generator',
		`invalid ${key} in ${source}: \`${shown(value)}\``,
		`${key} names a generator, such as dracut, ukify or none`,
	);
}

function parseBootRoot(value: string, source: string): string {
	if (value.startsWith('/') && !value.split('/').includes('..') && !/[\0\n\r]/.test(value))
		return value.replace(/\/+$/, '') || '/';
	throw configError(
		'install-conf.boot-root',
		`invalid BOOT_ROOT in ${source}: \`${shown(value)}\``,
		'BOOT_ROOT is an absolute path without `..`, such as /efi or /boot',
	);
}

/**
 * Variables from the file (`vars`, may be empty) and the environment → settings. `source` names the file (or
 * "environment") in error messages.
 */
export function interpretInstallConf(
	vars: Map<string, BashValue>,
	env: Readonly<Record<string, string | undefined>> = {},
	source = 'install.conf',
): InstallConf {
	const pick = (key: string, override?: string): { value: string | undefined; from: string } => {
		const fromEnv = override ? nonEmpty(env[override]) : undefined;
		if (fromEnv !== undefined) return { value: fromEnv, from: `$${override}` };
		return { value: nonEmpty(scalarOf(vars.get(key))), from: source };
	};
	const layout = pick('layout', INSTALLKERNEL_OVERRIDES.layout);
	const initrd = pick('initrd_generator', INSTALLKERNEL_OVERRIDES.initrdGenerator);
	const uki = pick('uki_generator', INSTALLKERNEL_OVERRIDES.ukiGenerator);
	const bootRoot = pick('BOOT_ROOT');
	const machineId = pick('MACHINE_ID');
	if (machineId.value !== undefined && parseMachineId(machineId.value) === undefined) {
		throw configError(
			'install-conf.machine-id',
			`invalid MACHINE_ID in ${source}: \`${shown(machineId.value)}\``,
			'a machine id is 32 lower-case hexadecimal digits (see machine-id(5))',
		);
	}
	return {
		layout: layout.value === undefined ? undefined : parseLayout(layout.value, layout.from),
		initrdGenerator:
			initrd.value === undefined ? undefined : parseGenerator(initrd.value, 'initrd_generator', initrd.from),
		ukiGenerator: uki.value === undefined ? undefined : parseGenerator(uki.value, 'uki_generator', uki.from),
		bootRoot: bootRoot.value === undefined ? undefined : parseBootRoot(bootRoot.value, bootRoot.from),
		machineId: machineId.value,
	};
}

/** systemd: a machine id is 32 lower-case hex digits; "uninitialized" and anything else mean none. */
export function parseMachineId(text: string): string | undefined {
	const id = text.trim();
	return /^[0-9a-f]{32}$/.test(id) ? id : undefined;
}

/**
 * An entry token (/etc/kernel/entry-token, os-release ID/IMAGE_ID, machine id) names a directory on the boot
 * partition and the prefix of entry and UKI file names: one VFAT-safe path component, never `.`/`..`.
 */
export function parseEntryToken(value: string, source: string): string {
	const token = value.trim().split('\n')[0]?.trim() ?? '';
	if (/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(token) && token.length <= 64) return token;
	throw configError(
		'install-conf.entry-token',
		`invalid entry token from ${source}: \`${shown(token)}\``,
		'an entry token is one file name of letters, digits and . _ + - (such as gentoo or the machine id)',
	);
}

/** os-release NAME names the vendor directory EFI/<NAME> of the efistub layout: one path component. */
export function parseVendorName(value: string, source: string): string {
	if (
		value !== '' &&
		!value.includes('/') &&
		value !== '.' &&
		value !== '..' &&
		!/[\0-\x1f\\]/.test(value) &&
		value.length <= 64
	)
		return value;
	throw configError(
		'install-conf.vendor',
		`os-release NAME cannot name the EFI vendor directory (${source}): \`${shown(value)}\``,
		'layout=efistub installs into EFI/<NAME> on the ESP: NAME in /etc/os-release must be one file name (no /)',
	);
}

/** /etc/kernel/tries (systemd boot counting): one non-negative integer; anything else is an error, as there. */
export function parseTries(text: string, source: string): number {
	const value = text.split('\n')[0]?.trim() ?? '';
	if (/^[0-9]{1,4}$/.test(value)) return Number(value);
	throw configError(
		'install-conf.tries',
		`${source} does not contain an integer: \`${shown(value)}\``,
		'write the number of boot attempts (e.g. 3) into it, or remove it to turn boot counting off',
	);
}
