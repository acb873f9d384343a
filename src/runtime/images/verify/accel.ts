// KVM or TCG. /dev/kvm existing is not enough, and neither is a real-mode guest that runs: under nested
// virtualisation a Linux kernel under KVM may print its setup code's first line and then spin silently for ever.
// KVM counts as usable only when the kernel under test, booted alone under KVM, prints its banner within the
// grace (verify-kvm-grace, KVM_GRACE_S by default); otherwise the guest runs under TCG, and the report says why.
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSection } from '../../../parsers/pe-sections';
import type { RuntimeContext } from '../../context';
import { type GuestRun, runGuest } from './guest-run';
import { type Accel, qemuArgs } from './qemu-command';

export type { Accel };

/** Seconds a KVM guest may stay without its kernel's banner by default (verify-kvm-grace): under working KVM it
 * appears within a second. */
export const KVM_GRACE_S = 20;

/** The accelerators to try, in order, and why the list is what it is. */
export interface AccelPlan {
	candidates: Accel[];
	reason: string;
}

/** The KVM device: `DIST_KERNEL_KVM_DEVICE` names another node (a container's, or a test's stand-in). */
export function kvmDeviceUsable(path = '/dev/kvm'): boolean {
	try {
		accessSync(path, constants.R_OK | constants.W_OK);
		return true;
	} catch {
		return false;
	}
}

export function planAccel(wanted: 'auto' | Accel, kvmUsable = kvmDeviceUsable()): AccelPlan {
	if (wanted === 'tcg') return { candidates: ['tcg'], reason: 'verify-accel = tcg' };
	if (wanted === 'kvm')
		return {
			candidates: ['kvm'],
			reason: kvmUsable ? 'verify-accel = kvm' : 'verify-accel = kvm (but /dev/kvm is not usable)',
		};
	if (!kvmUsable) return { candidates: ['tcg'], reason: '/dev/kvm is missing or not accessible' };
	return { candidates: ['kvm', 'tcg'], reason: 'KVM when the kernel boots under it, else TCG' };
}

/** Why a run shows the accelerator cannot start the guest's kernel; undefined when the banner appeared. */
export function describeNoKernel(run: GuestRun, accel: Accel): string | undefined {
	const name = accel === 'kvm' ? 'KVM' : 'TCG';
	const shown = run.lastLine ? ` (its console's last line: ${JSON.stringify(run.lastLine.slice(0, 120))})` : '';
	switch (run.result.end) {
		case 'banner':
			return undefined;
		case 'silent':
			return run.result.missing === 'output'
				? `the guest printed nothing within ${run.result.afterMs / 1000} s under ${name}`
				: `the kernel printed no banner within ${run.result.afterMs / 1000} s under ${name}${shown}`;
		case 'exited': {
			if (run.banner) return undefined;
			const why = run.stderr.trim().split('\n').at(-1)?.trim();
			return `QEMU exited with status ${run.result.exitCode} under ${name} before the kernel's banner${why ? `: ${why}` : ''}`;
		}
		case 'timeout':
			return run.banner ? undefined : `the kernel printed no banner under ${name} before the time ran out${shown}`;
		case 'qemu-failed':
			return `QEMU could not run the guest under ${name}: ${run.result.message}`;
	}
}

/** The kernel a target boots: the image itself, or a UKI's .linux section (written into `workDir`). */
export function probeKernel(target: { kind: 'kernel' | 'uki'; image: string }, workDir: string): string | undefined {
	if (target.kind === 'kernel') return target.image;
	try {
		const linux = findSection(readFileSync(target.image), '.linux');
		if (!linux) return undefined;
		const path = join(workDir, 'kvm-probe-linux');
		writeFileSync(path, linux, { mode: 0o600 });
		return path;
	} catch {
		return undefined;
	}
}

/**
 * Boots `kernel` alone under KVM until its banner (then stops it): undefined when KVM runs it, else why not.
 * Costs about a second where KVM works, `graceS` where it does not.
 */
export async function probeKvm(
	ctx: Pick<RuntimeContext, 'exec'>,
	kernel: string,
	workDir: string,
	memoryMiB: number,
	graceS = KVM_GRACE_S,
): Promise<string | undefined> {
	const args = qemuArgs({
		accel: 'kvm',
		memoryMiB,
		consoleLog: join(workDir, 'kvm-probe.log'),
		kernel: { image: kernel, append: 'console=ttyS0,115200 panic=-1' },
	});
	const run = await runGuest(ctx, args, {
		bannerWithinMs: graceS * 1000,
		stopAtBanner: true,
		timeoutMs: (graceS + 60) * 1000,
	});
	return describeNoKernel(run, 'kvm');
}
