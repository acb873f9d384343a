// KVM or TCG. /dev/kvm existing is not enough (nested or restricted hosts abort on the first vCPU MSR write):
// KVM counts as usable only when a probe guest with the CPU model we boot with (`host`) runs to its exit.
import { accessSync, constants, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDistKernelError } from '../../lib/errors';
import type { RuntimeContext } from '../context';
import { DEBUG_EXIT_IOBASE, PROBE_EXIT_STATUS, probeBootSector } from './probe-sector';
import { escapeDriveValue, type Accel } from './qemu-command';

export type { Accel };

export interface AccelChoice {
	accel: Accel;
	reason: string;
}

/** Seconds the probe may take: it exits at once under working KVM; a hang means KVM does not work. */
const PROBE_TIMEOUT_MS = 30_000;

function kvmDeviceUsable(path = '/dev/kvm'): boolean {
	try {
		accessSync(path, constants.R_OK | constants.W_OK);
		return true;
	} catch {
		return false;
	}
}

export async function chooseAccel(ctx: Pick<RuntimeContext, 'exec'>, qemu: string, workDir: string, wanted: 'auto' | Accel): Promise<AccelChoice> {
	if (wanted === 'tcg') return { accel: 'tcg', reason: 'verify-accel = tcg' };
	if (!kvmDeviceUsable()) {
		if (wanted === 'kvm') return { accel: 'kvm', reason: 'verify-accel = kvm (but /dev/kvm is not usable)' };
		return { accel: 'tcg', reason: '/dev/kvm is missing or not accessible' };
	}
	if (wanted === 'kvm') return { accel: 'kvm', reason: 'verify-accel = kvm' };
	const sector = join(workDir, 'kvm-probe.img');
	writeFileSync(sector, probeBootSector());
	const args = [
		'-accel', 'kvm', '-cpu', 'host', '-machine', 'pc', '-m', '16', '-nodefaults', '-no-user-config', '-display', 'none',
		'-serial', 'none', '-drive', `file=${escapeDriveValue(sector)},format=raw,if=ide`,
		'-device', `isa-debug-exit,iobase=0x${DEBUG_EXIT_IOBASE.toString(16)},iosize=0x04`,
	];
	try {
		const result = await ctx.exec(qemu, args, { allowFailure: true, timeout: PROBE_TIMEOUT_MS, show: false });
		if (result.exitCode === PROBE_EXIT_STATUS) return { accel: 'kvm', reason: 'a KVM probe guest ran' };
		const why = result.stderr.trim().split('\n')[0] ?? `exit status ${result.exitCode}`;
		return { accel: 'tcg', reason: `KVM probe failed (${why})` };
	} catch (error) {
		// A vCPU that cannot start aborts QEMU (a signal, not an exit status); its stderr says why.
		const details = isDistKernelError(error) ? error.details : undefined;
		const why = details?.trim().split('\n')[0] || (error as Error).message.split('\n')[0];
		return { accel: 'tcg', reason: `KVM probe guest did not run (${why})` };
	}
}
