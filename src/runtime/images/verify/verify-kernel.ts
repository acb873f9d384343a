// `dist-kernel verify KV` and the install pipeline's check: boot the image in QEMU against a generated test root
// and accept it only on the guest's own proof (guest-report.ts). Each run: QEMU and firmware present, root
// filesystem type, root identity from the command line, init built, disks made, accelerator probed, boot bounded
// by verify-timeout, console log kept under /var/log/dist-kernel, result recorded for status/doctor.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
	closeSync,
	copyFileSync,
	createReadStream,
	createWriteStream,
	ftruncateSync,
	linkSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readdirSync,
	readFileSync,
	readSync,
	rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '../../../lib/atomic-write';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { displayCommand } from '../../../lib/exec';
import { findFirmwareRefusal, firmwareGaveUp } from '../../../parsers/ovmf-console';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import { type VerifyRecord, writeVerifyRecord } from '../../state/verify-record';
import { workBase } from '../build/work-dir';
import type { SigningKey } from '../secureboot/signing-key';
import { type Accel, describeNoKernel, kvmDeviceUsable, planAccel, probeKernel, probeKvm } from './accel';
import type { BootTarget } from './boot-target';
import { checkQemu, findOvmf, QEMU_PROGRAM } from './firmware';
import { buildGuestInit } from './guest-init';
import { judgeRecord, parseGuestRecord, type Verdict } from './guest-report';
import { type GuestRun, runGuest } from './guest-run';
import { type QemuPlan, qemuArgs } from './qemu-command';
import { detectRootMount } from './root-fs-type';
import { planRoot } from './root-plan';
import { type SecureBootVerification, secureBootVerification, writeEnrolledVars } from './secure-boot';
import { makeTestDisk } from './test-disk';

export const VERIFY_LOG_DIR = '/var/log/dist-kernel';
const GUEST_MEMORY_MIB = 1024;
const RESULT_DISK_BYTES = 1024 * 1024;

export interface VerifyOptions {
	/** Filesystem type of the test root (default: the type of the filesystem holding --root). */
	fsType?: string | undefined;
	accel?: 'auto' | Accel | undefined;
	/** Seconds before the guest is stopped (default: verify-timeout). */
	timeout?: number | undefined;
	/** The key the image was just signed with (install pipeline): its certificate is enrolled under Secure Boot. */
	signingKey?: SigningKey | undefined;
}

async function concatenate(files: string[], out: string): Promise<void> {
	const sink = createWriteStream(out, { mode: 0o600 });
	for (const file of files) await pipeline(createReadStream(file), sink, { end: false });
	await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

function placeFile(source: string, target: string): void {
	try {
		linkSync(source, target);
	} catch {
		copyFileSync(source, target);
	}
}

function readHead(path: string, bytes: number): Buffer {
	const fd = openSync(path, 'r');
	try {
		const buf = Buffer.alloc(bytes);
		const n = readSync(fd, buf, 0, bytes, 0);
		return buf.subarray(0, n);
	} finally {
		closeSync(fd);
	}
}

function readText(path: string): string {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return '';
	}
}

function stamp(date: Date): string {
	return date
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z');
}

/** The file system type the test root gets: --fstype, else that of the mount holding --root. */
export function rootFsType(ctx: Pick<RuntimeContext, 'root'>, option?: string): string {
	if (option) return option;
	const mount = detectRootMount(ctx);
	if (!mount)
		throw new DistKernelError(
			'verify.fs-unknown',
			`cannot tell the filesystem type of ${ctx.root} from /proc/self/mountinfo`,
			{ hint: 'give it with --fstype (ext4, xfs, btrfs…)' },
		);
	return mount.fsType;
}

/** What ends a Secure Boot run early: OVMF refused the image, or gave up on every boot option (then waits forever). */
function firmwareStop(consoleText: string): string | undefined {
	const refusal = findFirmwareRefusal(consoleText);
	if (refusal) return refusal.line;
	return firmwareGaveUp(consoleText) ? 'BdsDxe: No bootable option or device was found.' : undefined;
}

/** Seconds a TCG guest may stay without its kernel's banner (TCG here: 20 s on a loaded 2-core machine). */
export const TCG_BANNER_S = 180;

/** True when the guest's console will show the kernel's banner: ours for kernel + initramfs, the UKI's own. */
export function consoleShowsKernel(target: Pick<BootTarget, 'kind' | 'params'>): boolean {
	return target.kind === 'kernel' || target.params.some((p) => /^console=ttyS0(,|$)/.test(p));
}

/** What ended a verification boot, for the record: a verdict on the image, or the machine's fault. */
type BootOutcome =
	| { result: 'verified' }
	| { result: 'failed'; reason: string }
	| { result: 'unavailable'; reason: string };

/**
 * Judges one run. Only a guest whose kernel started (its banner seen, or for a UKI whose console cannot show it,
 * a guest that ran) and then did not prove the boot is a failed image; QEMU failing, or no banner at all, is the
 * machine's fault.
 */
export function judgeRun(
	run: GuestRun,
	accel: Accel,
	proof: Verdict,
	bannerVisible: boolean,
	timeout: number,
): BootOutcome {
	const started = run.banner || (!bannerVisible && run.output);
	switch (run.result.end) {
		case 'exited':
			if (run.result.exitCode !== 0) {
				const why = run.stderr.trim().split('\n').at(-1)?.trim();
				return {
					result: 'unavailable',
					reason: `QEMU exited with status ${run.result.exitCode} under ${accel.toUpperCase()}${why ? `: ${why}` : ''}`,
				};
			}
			if (proof.ok) return { result: 'verified' };
			if (started) return { result: 'failed', reason: proof.reason };
			return {
				result: 'unavailable',
				reason: describeNoKernel(run, accel) ?? 'the guest stopped before its kernel started',
			};
		case 'timeout':
			if (started) return { result: 'failed', reason: `the guest did not finish within ${timeout} s (verify-timeout)` };
			return { result: 'unavailable', reason: describeNoKernel(run, accel) ?? `no output within ${timeout} s` };
		default:
			return { result: 'unavailable', reason: describeNoKernel(run, accel) ?? 'QEMU stopped' };
	}
}

/**
 * Boots `target` and returns the record (also written to the state file and the log). The record says
 * verified, failed (the kernel started and the boot did not prove itself) or unavailable (this machine could not
 * run the guest: no QEMU or OVMF, no accelerator that starts the kernel, QEMU died). Errors are thrown only for
 * what the admin must fix in the configuration (no mkfs, a UKI command line no test disk can satisfy). With
 * --dry-run nothing runs: undefined.
 */
export async function verifyTarget(
	ctx: RuntimeContext,
	kv: string,
	target: BootTarget,
	options: VerifyOptions = {},
): Promise<VerifyRecord | undefined> {
	const started = performance.now();
	const unavailableBeforeBoot = (error: DistKernelError): VerifyRecord => {
		const record: VerifyRecord = {
			kv,
			result: 'unavailable',
			at: new Date().toISOString(),
			kind: target.kind,
			seconds: 0,
			files: target.shown,
			cmdline: target.params.join(' '),
			fsType: options.fsType ?? '',
			log: '',
			reason: `${error.message}${error.hint ? ` (${error.hint})` : ''}`,
			notes: [],
		};
		if (!ctx.dryRun) writeVerifyRecord(ctx.root, record);
		return record;
	};
	let ovmf: ReturnType<typeof findOvmf> | undefined;
	let secureBoot: SecureBootVerification | undefined;
	try {
		await checkQemu(ctx);
		secureBoot = target.kind === 'uki' ? await secureBootVerification(ctx, options.signingKey) : undefined;
		ovmf = target.kind === 'uki' ? (secureBoot?.ovmf ?? findOvmf()) : undefined;
	} catch (error) {
		if (
			isDistKernelError(error, 'verify.no-qemu') ||
			isDistKernelError(error, 'verify.no-ovmf') ||
			isDistKernelError(error, 'verify.no-ovmf-secboot')
		)
			return unavailableBeforeBoot(error);
		throw error;
	}
	const plan = planRoot({
		params: target.params,
		kind: target.kind,
		fsType: rootFsType(ctx, options.fsType),
		fallbackUuid: randomUUID(),
	});
	const timeout = options.timeout ?? ctx.config.verifyTimeout;
	if (ctx.dryRun) {
		ctx.logger.info(
			`(dry run) would boot ${target.shown.join(' ')} in QEMU with a ${plan.fsType} test root (${target.kind === 'uki' ? 'embedded command line' : plan.params.join(' ')}), at most ${timeout} s`,
		);
		return undefined;
	}
	// Callers hold the boot lock of this root: a directory with our prefix is a leftover of a killed run.
	const base = workBase(ctx);
	const prefix = `dist-kernel-verify.${createHash('sha256').update(ctx.root).digest('hex').slice(0, 8)}.`;
	for (const name of readdirSync(base))
		if (name.startsWith(prefix)) rmSync(join(base, name), { recursive: true, force: true });
	const work = mkdtempSync(join(base, prefix));
	try {
		const init = await buildGuestInit(ctx, work);
		const nonce = randomBytes(16).toString('hex');
		const disk = await makeTestDisk(ctx, work, {
			fsType: plan.fsType,
			init,
			initPaths: plan.initPaths,
			nonce,
			identity: plan.identity,
		});
		const resultDisk = join(work, 'result.img');
		const consoleLog = join(work, 'console.log');
		const base: Omit<QemuPlan, 'accel'> = { memoryMiB: GUEST_MEMORY_MIB, rootDisk: disk.image, resultDisk, consoleLog };
		if (target.kind === 'uki') {
			const esp = join(work, 'esp');
			mkdirSync(join(esp, 'EFI', 'BOOT'), { recursive: true });
			placeFile(target.image, join(esp, 'EFI', 'BOOT', 'BOOTX64.EFI'));
			const vars = join(work, 'OVMF_VARS.fd');
			if (secureBoot) writeEnrolledVars(secureBoot, vars);
			else copyFileSync(ovmf!.vars, vars);
			base.uki = {
				espDir: esp,
				code: ovmf!.code,
				vars,
				extraCmdline: ['console=ttyS0,115200', 'panic=-1', 'rd.shell=0', 'rd.emergency=poweroff'].join(' '),
				secureBoot: secureBoot !== undefined,
			};
		} else {
			let initrd = target.initrds[0];
			if (target.initrds.length > 1) {
				initrd = join(work, 'initrd.img');
				await concatenate(target.initrds, initrd);
			}
			base.kernel = { image: target.image, initrd, append: plan.params.join(' ') };
		}
		const bannerVisible = consoleShowsKernel(target);
		const accelPlan = planAccel(
			options.accel ?? ctx.config.verifyAccel,
			kvmDeviceUsable(ctx.env['DIST_KERNEL_KVM_DEVICE'] || '/dev/kvm'),
		);
		const story: string[] = [];
		let outcome: BootOutcome = { result: 'unavailable', reason: 'no accelerator was tried' };
		let accel: Accel | undefined;
		let args: string[] = [];
		let qemuOutput = '';
		let consoleText = '';
		let rejected = false;
		for (const candidate of accelPlan.candidates) {
			const next = accelPlan.candidates.at(accelPlan.candidates.indexOf(candidate) + 1);
			const retry = next ? `; retried under ${next.toUpperCase()}` : '';
			if (candidate === 'kvm') {
				const kernel = probeKernel(target, work);
				const noKvm = kernel
					? await probeKvm(ctx, kernel, work, GUEST_MEMORY_MIB, ctx.config.verifyKvmGrace)
					: 'the UKI has no .linux section to probe KVM with';
				if (noKvm) {
					story.push(`KVM: ${noKvm}${retry}`);
					outcome = { result: 'unavailable', reason: noKvm };
					accel = candidate;
					continue;
				}
			}
			accel = candidate;
			// a fresh result disk for each boot: only this run's guest may answer the nonce
			const fd = openSync(resultDisk, 'w', 0o600);
			ftruncateSync(fd, 0);
			ftruncateSync(fd, RESULT_DISK_BYTES);
			closeSync(fd);
			args = qemuArgs({ ...base, accel: candidate });
			const enforcing = secureBoot ? `, Secure Boot enforced with ${secureBoot.shownCert} enrolled` : '';
			const end = ctx.logger.begin(
				`Booting ${target.kind === 'uki' ? 'the unified kernel image' : 'kernel and initramfs'} of ${kv} in QEMU (${candidate}, ${plan.fsType} test root${enforcing})`,
			);
			const grace = candidate === 'kvm' ? ctx.config.verifyKvmGrace : Math.min(TCG_BANNER_S, timeout);
			const run = await runGuest(ctx, args, {
				bannerWithinMs: bannerVisible ? grace * 1000 : undefined,
				// a UKI whose console cannot show the kernel: its firmware's output at least
				outputWithinMs: !bannerVisible && candidate === 'kvm' ? grace * 1000 : undefined,
				timeoutMs: timeout * 1000,
				// Under Secure Boot the firmware's refusal ends the run (it would wait at its boot menu until the timeout).
				stopOn: secureBoot ? firmwareStop : undefined,
			});
			qemuOutput = `${qemuOutput}${run.stderr}`;
			consoleText = readText(consoleLog);
			const refusal = run.result.end === 'stopped' ? findFirmwareRefusal(consoleText) : undefined;
			if (refusal) {
				rejected = true;
				outcome = {
					result: 'failed',
					reason: `the firmware refused to start the image under Secure Boot (${refusal.status}: its signature does not verify against ${secureBoot!.shownCert})`,
				};
			} else if (run.result.end === 'stopped')
				outcome = { result: 'failed', reason: `the firmware found nothing it could boot (${run.result.why})` };
			else
				outcome = judgeRun(
					run,
					candidate,
					judgeRecord(parseGuestRecord(readHead(resultDisk, 4096)), nonce, kv),
					bannerVisible,
					timeout,
				);
			end(outcome.result === 'verified');
			if (outcome.result !== 'unavailable') break;
			story.push(`${candidate.toUpperCase()}: ${outcome.reason}${retry}`);
		}
		const at = new Date();
		const logPath = `${VERIFY_LOG_DIR}/verify-${kv}-${stamp(at)}.log`;
		const accelReason = story.length > 0 ? story.join('; ') : accelPlan.reason;
		const record: VerifyRecord = {
			kv,
			result: outcome.result,
			at: at.toISOString(),
			kind: target.kind,
			accel,
			accelReason,
			seconds: Math.round((performance.now() - started) / 100) / 10,
			files: target.shown,
			cmdline: target.kind === 'uki' ? target.params.join(' ') : plan.params.join(' '),
			fsType: plan.fsType,
			log: logPath,
			...(outcome.result === 'verified'
				? {}
				: { reason: outcome.result === 'unavailable' && story.length > 1 ? story.join('; ') : outcome.reason }),
			...(rejected ? { outcome: 'verify.secureboot-rejected' } : {}),
			...(secureBoot ? { secureBoot: { cert: secureBoot.shownCert, firmware: secureBoot.ovmf.code } } : {}),
			notes: plan.notes,
		};
		const header = [
			`dist-kernel verify ${kv}: ${record.result}${record.reason ? ` (${record.reason})` : ''}`,
			`when: ${record.at}; ${record.seconds} s; accelerator ${accel ?? 'none'} (${accelReason})`,
			`booted: ${target.shown.join(' ')}`,
			`command line (${target.cmdlineSource}): ${record.cmdline}`,
			...plan.notes.map((n) => `note: ${n}`),
			`qemu: ${args.length > 0 ? displayCommand(QEMU_PROGRAM, args) : '(not started)'}`,
			'----- serial console -----',
			'',
		].join('\n');
		const logFile = systemPath(ctx, logPath);
		mkdirSync(systemPath(ctx, VERIFY_LOG_DIR), { recursive: true, mode: 0o755 });
		writeFileAtomic(logFile, `${header}${consoleText}\n----- qemu -----\n${qemuOutput}`);
		writeVerifyRecord(ctx.root, record);
		return record;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

/** One line for the admin about a record. */
export function describeRecord(record: VerifyRecord): string {
	if (record.result === 'verified')
		return `boot of ${record.kv} verified in QEMU (${record.accel}, ${record.seconds} s): ${record.files.join(' ')} mounted a ${record.fsType} root and ran its init`;
	if (record.result === 'unavailable')
		return `boot verification of ${record.kv} could not run on this machine (this says nothing about the image): ${record.reason ?? 'unknown reason'}${record.log ? `\nlog: ${record.log}` : ''}`;
	return `boot verification of ${record.kv} FAILED${record.outcome ? ` (${record.outcome})` : ''}: ${record.reason ?? 'unknown reason'}\nconsole log: ${record.log}`;
}
