// `dist-kernel verify KV` and the install pipeline's check: boot the image in QEMU against a generated test root
// and accept it only on the guest's own proof (guest-report.ts). Each run: QEMU and firmware present, root
// filesystem type, root identity from the command line, init built, disks made, accelerator probed, boot bounded
// by verify-timeout, console log kept under /var/log/dist-kernel, result recorded for status/doctor.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, createReadStream, createWriteStream, ftruncateSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '../../lib/atomic-write';
import { DistKernelError, isDistKernelError } from '../../lib/errors';
import { displayCommand } from '../../lib/exec';
import type { RuntimeContext } from '../context';
import { systemPath } from '../context';
import { workBase } from '../install/work-dir';
import { chooseAccel, type Accel } from './accel';
import type { BootTarget } from './boot-target';
import { checkQemu, findOvmf, QEMU_PROGRAM } from './firmware';
import { buildGuestInit } from './guest-init';
import { judgeRecord, parseGuestRecord } from './guest-report';
import { qemuArgs, type QemuPlan } from './qemu-command';
import { detectRootMount } from './root-fs-type';
import { planRoot } from './root-plan';
import { makeTestDisk } from './test-disk';
import { writeVerifyRecord, type VerifyRecord } from './verify-state';

export const VERIFY_LOG_DIR = '/var/log/dist-kernel';
const GUEST_MEMORY_MIB = 1024;
const RESULT_DISK_BYTES = 1024 * 1024;

export interface VerifyOptions {
	/** Filesystem type of the test root (default: the type of the filesystem holding --root). */
	fsType?: string | undefined;
	accel?: 'auto' | Accel | undefined;
	/** Seconds before the guest is stopped (default: verify-timeout). */
	timeout?: number | undefined;
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
	return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The file system type the test root gets: --fstype, else that of the mount holding --root. */
export function rootFsType(ctx: Pick<RuntimeContext, 'root'>, option?: string): string {
	if (option) return option;
	const mount = detectRootMount(ctx);
	if (!mount) throw new DistKernelError('verify.fs-unknown', `cannot tell the filesystem type of ${ctx.root} from /proc/self/mountinfo`, { hint: 'give it with --fstype (ext4, xfs, btrfs…)' });
	return mount.fsType;
}

/**
 * Boots `target` and returns the record (also written to the state file and the log). A failed boot is a
 * record with result 'failed'; errors are thrown only when the check itself cannot run (no QEMU, no OVMF, no
 * mkfs, a UKI command line no test disk can satisfy). With --dry-run nothing runs: undefined.
 */
export async function verifyTarget(ctx: RuntimeContext, kv: string, target: BootTarget, options: VerifyOptions = {}): Promise<VerifyRecord | undefined> {
	await checkQemu(ctx);
	const ovmf = target.kind === 'uki' ? findOvmf() : undefined;
	const plan = planRoot({ params: target.params, kind: target.kind, fsType: rootFsType(ctx, options.fsType), fallbackUuid: randomUUID() });
	const timeout = options.timeout ?? ctx.config.verifyTimeout;
	if (ctx.dryRun) {
		ctx.logger.info(`(dry run) would boot ${target.shown.join(' ')} in QEMU with a ${plan.fsType} test root (${target.kind === 'uki' ? 'embedded command line' : plan.params.join(' ')}), at most ${timeout} s`);
		return undefined;
	}
	const started = performance.now();
	// Callers hold the boot lock of this root: a directory with our prefix is a leftover of a killed run.
	const base = workBase(ctx);
	const prefix = `dist-kernel-verify.${createHash('sha256').update(ctx.root).digest('hex').slice(0, 8)}.`;
	for (const name of readdirSync(base)) if (name.startsWith(prefix)) rmSync(join(base, name), { recursive: true, force: true });
	const work = mkdtempSync(join(base, prefix));
	try {
		const init = await buildGuestInit(ctx, work);
		const nonce = randomBytes(16).toString('hex');
		const disk = await makeTestDisk(ctx, work, { fsType: plan.fsType, init, initPaths: plan.initPaths, nonce, identity: plan.identity });
		const resultDisk = join(work, 'result.img');
		const fd = openSync(resultDisk, 'w', 0o600);
		ftruncateSync(fd, RESULT_DISK_BYTES);
		closeSync(fd);
		const consoleLog = join(work, 'console.log');
		const accel = await chooseAccel(ctx, QEMU_PROGRAM, work, options.accel ?? ctx.config.verifyAccel);
		ctx.logger.debug(`accelerator: ${accel.accel} (${accel.reason})`);
		const qemu: QemuPlan = { accel: accel.accel, memoryMiB: GUEST_MEMORY_MIB, rootDisk: disk.image, resultDisk, consoleLog };
		if (target.kind === 'uki') {
			const esp = join(work, 'esp');
			mkdirSync(join(esp, 'EFI', 'BOOT'), { recursive: true });
			placeFile(target.image, join(esp, 'EFI', 'BOOT', 'BOOTX64.EFI'));
			const vars = join(work, 'OVMF_VARS.fd');
			copyFileSync(ovmf!.vars, vars);
			qemu.uki = { espDir: esp, code: ovmf!.code, vars, extraCmdline: ['console=ttyS0,115200', 'panic=-1', 'rd.shell=0', 'rd.emergency=poweroff'].join(' ') };
		} else {
			let initrd = target.initrds[0];
			if (target.initrds.length > 1) {
				initrd = join(work, 'initrd.img');
				await concatenate(target.initrds, initrd);
			}
			qemu.kernel = { image: target.image, initrd, append: plan.params.join(' ') };
		}
		const args = qemuArgs(qemu);
		const end = ctx.logger.begin(`Booting ${target.kind === 'uki' ? 'the unified kernel image' : 'kernel and initramfs'} of ${kv} in QEMU (${accel.accel}, ${plan.fsType} test root)`);
		let failure: string | undefined;
		let qemuOutput = '';
		try {
			const run = await ctx.exec(QEMU_PROGRAM, args, { allowFailure: true, timeout: timeout * 1000, show: false });
			qemuOutput = `${run.stdout}${run.stderr}`;
			if (run.exitCode !== 0) failure = `QEMU exited with status ${run.exitCode}: ${run.stderr.trim().split('\n').at(-1) ?? ''}`;
		} catch (error) {
			if (!isDistKernelError(error, 'exec.timeout')) throw error;
			failure = `the guest did not finish within ${timeout} s (verify-timeout)`;
			qemuOutput = error.details ?? '';
		}
		const verdict = judgeRecord(parseGuestRecord(readHead(resultDisk, 4096)), nonce, kv);
		const ok = verdict.ok && failure === undefined;
		end(ok);
		const at = new Date();
		const logPath = `${VERIFY_LOG_DIR}/verify-${kv}-${stamp(at)}.log`;
		const record: VerifyRecord = {
			kv,
			result: ok ? 'verified' : 'failed',
			at: at.toISOString(),
			kind: target.kind,
			accel: accel.accel,
			seconds: Math.round((performance.now() - started) / 100) / 10,
			files: target.shown,
			cmdline: target.kind === 'uki' ? target.params.join(' ') : plan.params.join(' '),
			fsType: plan.fsType,
			log: logPath,
			...(ok ? {} : { reason: failure ?? (verdict.ok ? 'unknown' : verdict.reason) }),
			notes: plan.notes,
		};
		const header = [
			`dist-kernel verify ${kv}: ${record.result}${record.reason ? ` (${record.reason})` : ''}`,
			`when: ${record.at}; ${record.seconds} s; accelerator ${accel.accel} (${accel.reason})`,
			`booted: ${target.shown.join(' ')}`,
			`command line (${target.cmdlineSource}): ${record.cmdline}`,
			...plan.notes.map((n) => `note: ${n}`),
			`qemu: ${displayCommand(QEMU_PROGRAM, args)}`,
			'----- serial console -----',
			'',
		].join('\n');
		const logFile = systemPath(ctx, logPath);
		mkdirSync(systemPath(ctx, VERIFY_LOG_DIR), { recursive: true, mode: 0o755 });
		writeFileAtomic(logFile, `${header}${readText(consoleLog)}\n----- qemu -----\n${qemuOutput}`);
		writeVerifyRecord(ctx.root, record);
		return record;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

/** One line for the admin about a record. */
export function describeRecord(record: VerifyRecord): string {
	if (record.result === 'verified') return `boot of ${record.kv} verified in QEMU (${record.accel}, ${record.seconds} s): ${record.files.join(' ')} mounted a ${record.fsType} root and ran its init`;
	return `boot verification of ${record.kv} FAILED: ${record.reason ?? 'unknown reason'}\nconsole log: ${record.log}`;
}
