// Gentoo's mount-boot_check_status (mount-boot-utils.eclass) in the runtime: before anything writes boot files,
// /boot — and on a UEFI system the ESP at /efi, /boot/efi, /boot/EFI — must be mounted read-write when /etc/fstab
// lists it. Otherwise the kernel would land in the root file system's empty /boot directory, hidden once the real
// /boot is mounted: installed, and never booted. DONT_MOUNT_BOOT (any value) turns the check off, as in Gentoo.
//
// --root: Gentoo skips the check whenever ROOT is not /. We check a --root DIR when DIR is itself a mount point (a
// real system mounted there, as /mnt/gentoo in the handbook: its /etc/fstab names its /boot, which must be
// mounted at DIR/boot); a plain directory (an image being assembled, a test root) describes a machine whose
// /boot is elsewhere, and is not checked. Inside a chroot the root is / and the check sees the chroot's mounts.
import { existsSync, readFileSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import { readTextOrUndefined } from '../../../lib/read-file';
import { underRoot } from '../../../lib/root';
import { type FstabEntry, parseFstab } from '../../../parsers/fstab';
import { isReadOnly, type MountEntry, mountAtPoint, parseMountinfo } from '../../../parsers/mountinfo';
import type { RuntimeContext } from '../../context';

/** Gentoo's candidates: /boot always, the ESP locations installkernel and eclean-kernel use on UEFI systems. */
export const BOOT_CANDIDATES = ['/boot'] as const;
export const ESP_CANDIDATES = ['/efi', '/boot/efi', '/boot/EFI'] as const;

export interface BootMountFacts {
	fstab: readonly FstabEntry[];
	mounts: readonly MountEntry[];
	/** Booted with UEFI (/sys/firmware/efi exists). */
	uefi: boolean;
	/** Host path of the target root ('/' on a live system): mount points are looked up under it. */
	root: string;
}

export interface BootMountProblem {
	/** The mount point as the target system names it, e.g. /boot. */
	mountPoint: string;
	problem: 'not-mounted' | 'read-only';
}

function hostPath(root: string, mountPoint: string): string {
	return root === '/' ? mountPoint : `${root.replace(/\/+$/, '')}${mountPoint}`;
}

/** Pure: what mount-boot_check_status would refuse. `/dev/BOOT` lines are Gentoo's default fstab placeholder. */
export function bootMountProblems(facts: BootMountFacts): BootMountProblem[] {
	const candidates: string[] = [...BOOT_CANDIDATES, ...(facts.uefi ? ESP_CANDIDATES : [])];
	const problems: BootMountProblem[] = [];
	for (const mountPoint of candidates) {
		if (!facts.fstab.some((e) => e.target === mountPoint && !e.source.startsWith('/dev/BOOT'))) continue;
		const mount = mountAtPoint(facts.mounts, hostPath(facts.root, mountPoint));
		if (!mount) problems.push({ mountPoint, problem: 'not-mounted' });
		else if (isReadOnly(mount)) problems.push({ mountPoint, problem: 'read-only' });
	}
	return problems;
}

/** The error for the problems found (not-mounted wins over read-only, as Gentoo's return codes). */
export function bootMountError(problems: readonly BootMountProblem[], retry: string | undefined): DistKernelError {
	const notMounted = problems.filter((p) => p.problem === 'not-mounted').map((p) => p.mountPoint);
	const readOnly = problems.filter((p) => p.problem === 'read-only').map((p) => p.mountPoint);
	const parts = [
		...(notMounted.length > 0
			? [`${notMounted.join(', ')} ${notMounted.length > 1 ? 'are' : 'is'} listed in /etc/fstab but not mounted`]
			: []),
		...(readOnly.length > 0 ? [`${readOnly.join(', ')} ${readOnly.length > 1 ? 'are' : 'is'} mounted read-only`] : []),
	];
	const fixes = [...notMounted.map((m) => `mount ${m}`), ...readOnly.map((m) => `mount -o remount,rw ${m}`)];
	const then = retry ? `, then run: ${retry}` : ', then run the command again';
	return new DistKernelError(
		notMounted.length > 0 ? 'boot.not-mounted' : 'boot.read-only',
		`refusing to write boot files: ${parts.join('; ')}`,
		{
			hint: `${fixes.join(' and ')}${then} (or set DONT_MOUNT_BOOT=1 if the files belong in the directory underneath)`,
		},
	);
}

export interface GuardSources {
	mountinfo?: string;
	/** Path whose existence means "booted with UEFI". */
	efiFirmware?: string;
}

/** Reads fstab (under root), the mount table and the firmware type; undefined when the check does not apply. */
export function readBootMountFacts(
	ctx: Pick<RuntimeContext, 'root' | 'env' | 'logger'>,
	sources: GuardSources = {},
): BootMountFacts | undefined {
	if (ctx.env['DONT_MOUNT_BOOT']) {
		ctx.logger.debug('DONT_MOUNT_BOOT is set: not checking that /boot and the ESP are mounted');
		return undefined;
	}
	let mounts: MountEntry[];
	try {
		mounts = parseMountinfo(readFileSync(sources.mountinfo ?? '/proc/self/mountinfo', 'utf8'));
	} catch {
		ctx.logger.warn('cannot read /proc/self/mountinfo: not checking that /boot and the ESP are mounted');
		return undefined;
	}
	if (ctx.root !== '/' && !mountAtPoint(mounts, ctx.root.replace(/\/+$/, ''))) {
		ctx.logger.debug(`--root ${ctx.root} is not a mount point (no mounted system there): /boot is not checked`);
		return undefined;
	}
	// No fstab: no separate /boot (Gentoo's awk would fail here; nothing is listed, so nothing to mount).
	const fstab = parseFstab(readTextOrUndefined(underRoot(ctx.root, '/etc/fstab')) ?? '');
	return { fstab, mounts, uefi: existsSync(sources.efiFirmware ?? '/sys/firmware/efi'), root: ctx.root };
}

/**
 * Refuses (boot.not-mounted, boot.read-only) before anything writes /boot or the ESP. `retry`: the command that
 * finishes the job once mounted (e.g. `emerge --config '=sys-kernel/gentoo-kernel-6.12.8'`).
 */
export function assertBootMounted(
	ctx: Pick<RuntimeContext, 'root' | 'env' | 'logger'>,
	retry?: string,
	sources: GuardSources = {},
): void {
	const facts = readBootMountFacts(ctx, sources);
	if (!facts) return;
	const problems = bootMountProblems(facts);
	if (problems.length > 0) throw bootMountError(problems, retry);
}
