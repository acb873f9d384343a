// The host's QEMU and, for a UKI, OVMF (UEFI firmware for QEMU): code + a variable store template of the same
// size. Paths of Gentoo's sys-firmware/edk2-bin and edk2, Debian's ovmf, Fedora's edk2-ovmf and Arch's edk2-ovmf.
import { existsSync } from 'node:fs';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';

export const QEMU_PACKAGE = 'app-emulation/qemu';
export const OVMF_PACKAGE = 'sys-firmware/edk2-bin';

const OVMF_PAIRS: Array<[string, string]> = [
	['/usr/share/edk2/OvmfX64/OVMF_CODE.fd', '/usr/share/edk2/OvmfX64/OVMF_VARS.fd'],
	['/usr/share/edk2-ovmf/OVMF_CODE.fd', '/usr/share/edk2-ovmf/OVMF_VARS.fd'],
	['/usr/share/edk2-ovmf/x64/OVMF_CODE.4m.fd', '/usr/share/edk2-ovmf/x64/OVMF_VARS.4m.fd'],
	['/usr/share/edk2-ovmf/x64/OVMF_CODE.fd', '/usr/share/edk2-ovmf/x64/OVMF_VARS.fd'],
	['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'],
	['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_VARS.fd'],
	['/usr/share/edk2/ovmf/OVMF_CODE.fd', '/usr/share/edk2/ovmf/OVMF_VARS.fd'],
	['/usr/share/qemu/edk2-x86_64-code.fd', '/usr/share/qemu/edk2-i386-vars.fd'],
];

/** OVMF built with Secure Boot (and the SMM it requires), with a variable store in setup mode of the same size. */
const OVMF_SECBOOT_PAIRS: Array<[string, string]> = [
	['/usr/share/OVMF/OVMF_CODE_4M.secboot.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'],
	['/usr/share/OVMF/OVMF_CODE.secboot.fd', '/usr/share/OVMF/OVMF_VARS.fd'],
	['/usr/share/edk2/OvmfX64/OVMF_CODE.secboot.fd', '/usr/share/edk2/OvmfX64/OVMF_VARS.fd'],
	['/usr/share/edk2-ovmf/OVMF_CODE.secboot.fd', '/usr/share/edk2-ovmf/OVMF_VARS.fd'],
	['/usr/share/edk2-ovmf/x64/OVMF_CODE.secboot.4m.fd', '/usr/share/edk2-ovmf/x64/OVMF_VARS.4m.fd'],
	['/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd', '/usr/share/edk2/ovmf/OVMF_VARS.fd'],
	['/usr/share/edk2/x64/OVMF_CODE.secboot.4m.fd', '/usr/share/edk2/x64/OVMF_VARS.4m.fd'],
];

export interface Ovmf {
	code: string;
	vars: string;
}

/** Host paths (the firmware runs the guest here, whatever --root is). `candidates` is for tests. */
export function findOvmf(candidates: Array<[string, string]> = OVMF_PAIRS): Ovmf {
	const pair = candidates.find(([code, vars]) => existsSync(code) && existsSync(vars));
	if (!pair) {
		throw new DistKernelError(
			'verify.no-ovmf',
			'cannot verify a unified kernel image: no OVMF UEFI firmware for QEMU found',
			{
				details: `looked for: ${candidates.map(([c]) => c).join(', ')}`,
				hint: `emerge ${OVMF_PACKAGE}`,
			},
		);
	}
	return { code: pair[0], vars: pair[1] };
}

export const QEMU_PROGRAM = 'qemu-system-x86_64';

/** Fails with the package to install when QEMU is not on PATH. */
export async function checkQemu(ctx: Pick<RuntimeContext, 'exec'>): Promise<string> {
	try {
		const out = await ctx.exec(QEMU_PROGRAM, ['--version'], { timeout: 30_000 });
		return out.stdout.split('\n')[0]?.trim() ?? QEMU_PROGRAM;
	} catch (error) {
		if (isDistKernelError(error, 'exec.not-found')) {
			throw new DistKernelError('verify.no-qemu', `cannot verify boot images: ${QEMU_PROGRAM} is not installed`, {
				hint: `emerge ${QEMU_PACKAGE} (QEMU_SOFTMMU_TARGETS="x86_64")`,
				cause: error,
			});
		}
		throw error;
	}
}

/** The Secure Boot build of OVMF (host paths). `candidates` is for tests. */
export function findSecureBootOvmf(candidates: Array<[string, string]> = OVMF_SECBOOT_PAIRS): Ovmf {
	const pair = candidates.find(([code, vars]) => existsSync(code) && existsSync(vars));
	if (!pair) {
		throw new DistKernelError(
			'verify.no-ovmf-secboot',
			'cannot verify under Secure Boot: no Secure Boot build of OVMF (OVMF_CODE*.secboot.fd) found',
			{
				details: `looked for: ${candidates.map(([c]) => c).join(', ')}`,
				hint: `emerge ${OVMF_PACKAGE}, or set verify-secureboot = no`,
			},
		);
	}
	return { code: pair[0], vars: pair[1] };
}
