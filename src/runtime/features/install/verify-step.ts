// The install pipeline's side of `verify-boot = qemu`: the freshly built image is booted before it reaches
// /boot; after the install a failed one is kept from becoming the default and the admin is told (elog).
// Verification that cannot run (no QEMU or OVMF, no accelerator that starts the kernel: `unavailable`) never
// blocks an install nor demotes anything, and says why (elog); `install --force` skips it.
import { isDistKernelError } from '../../../lib/errors';
import { findBootFiles } from '../../boot/files/boot-files';
import type { KernelArtifacts } from '../../boot/files/types';
import { demoteKernel, dropDemoted } from '../../boot/loaders/keep-previous-default';
import type { RuntimeContext } from '../../context';
import { targetFromArtifacts } from '../../images/verify/boot-target';
import { verifyTarget } from '../../images/verify/verify-kernel';
import { clearVerifyRecord, type VerifyRecord, writeVerifyRecord } from '../../state/verify-record';

export async function verifyBeforeInstall(
	ctx: RuntimeContext,
	kv: string,
	artifacts: KernelArtifacts,
	options: { skip?: boolean | undefined } = {},
): Promise<VerifyRecord | undefined> {
	if (ctx.config.verifyBoot !== 'qemu') return undefined;
	if (ctx.dryRun) {
		ctx.logger.info(
			`(dry run) the new image of ${kv} would be booted in QEMU before it is installed (verify-boot = qemu)`,
		);
		return undefined;
	}
	clearVerifyRecord(ctx.root, kv);
	if (options.skip) {
		ctx.logger.warn(`boot verification of ${kv} skipped (--force): it becomes the default unverified`);
		return undefined;
	}
	try {
		const record = await verifyTarget(ctx, kv, targetFromArtifacts(ctx, artifacts), {
			signingKey: artifacts.signedWith,
		});
		if (record?.result === 'unavailable') {
			ctx.logger.warn(
				`boot verification of ${kv} could not run on this machine: ${record.reason ?? 'unknown reason'}${record.log ? `\nlog: ${record.log}` : ''}\nthis says nothing about the image: ${kv} is installed unverified, as without verify-boot`,
			);
		}
		return record;
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		ctx.logger.warn(
			`boot verification of ${kv} could not run: ${error.message}${error.hint ? `\n${error.hint}` : ''}\n${kv} is installed unverified`,
		);
		return undefined;
	}
}

/** True when a failed check should leave the installed image of an already installed kernel as it is. */
export function keepInstalledImage(
	ctx: Pick<RuntimeContext, 'root'>,
	kv: string,
	record: VerifyRecord | undefined,
	initrdOnly: boolean,
): boolean {
	if (record?.result !== 'failed' || !initrdOnly) return false;
	const files = findBootFiles(ctx.root, kv);
	return files.kernels.length > 0 || files.ukis.some((f) => f.size > 0);
}

/** After the backend installed the files: demote a failed kernel, or drop what an earlier failure demoted. */
export function settleVerification(
	ctx: RuntimeContext,
	kv: string,
	record: VerifyRecord | undefined,
	installedFiles: string[],
): void {
	if (ctx.dryRun) return;
	if (record?.result !== 'failed') {
		dropDemoted(ctx, kv);
		if (record) {
			writeVerifyRecord(ctx.root, { ...record, files: installedFiles });
			if (record.result === 'verified')
				ctx.logger.log(
					`boot of ${kv} verified in QEMU (${record.accel}, ${record.seconds} s${record.accel === 'tcg' && record.accelReason ? `; ${record.accelReason}` : ''}) before it became the default`,
				);
		}
		return;
	}
	const demoted = demoteKernel(ctx, kv);
	writeVerifyRecord(ctx.root, { ...record, files: installedFiles, ...(demoted.length > 0 ? { demoted } : {}) });
	ctx.logger.warn(
		[
			`boot verification of ${kv} FAILED${record.outcome ? ` (${record.outcome})` : ''}: ${record.reason ?? 'unknown reason'}`,
			`console log: ${record.log}`,
			demoted.length > 0
				? `${kv} is installed but marked bad for the boot loader (${demoted.join(' ')}): the previous kernel stays the default`
				: `${kv} is installed, but the boot loader configuration was not updated for it: the previous kernel stays the default until you do`,
			`fix the cause, then run: dist-kernel install ${kv}   (dist-kernel install --force ${kv} installs it without verification)`,
		].join('\n'),
	);
}

export function keptMessage(kv: string, record: VerifyRecord): string {
	return [
		`boot verification of the new image for ${kv} FAILED: ${record.reason ?? 'unknown reason'}`,
		`console log: ${record.log}`,
		`the installed image of ${kv} was left as it was`,
		`fix the cause, then run: dist-kernel initramfs ${kv}`,
	].join('\n');
}
