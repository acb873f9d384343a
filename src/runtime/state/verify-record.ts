// The last verification of each kernel, for status/doctor: /var/lib/dist-kernel/verify/<KV>.json, atomic.
import * as z from 'zod';
import { isKernelVersion } from '../../lib/validate';
import {
	readRecord,
	recordNames,
	recordOrUndefined,
	recordPath,
	removeRecord,
	statePath,
	writeRecord,
} from './json-record';

export const VERIFY_STATE_DIR = statePath('verify');

// Records are written by us only; what status, doctor and the pipeline rely on is checked, the rest kept as written.
const verifySchema = z.looseObject({
	kv: z.string(),
	result: z.enum(['verified', 'failed', 'unavailable']),
	at: z.string(),
});

export interface VerifyRecord {
	kv: string;
	/**
	 * verified: the guest proved it reached its init; failed: its kernel started and the boot did not prove it;
	 * unavailable: this machine could not run the guest (no QEMU or OVMF, no accelerator ran its kernel, QEMU died):
	 * says nothing about the image.
	 */
	result: 'verified' | 'failed' | 'unavailable';
	/** ISO time the verification ended. */
	at: string;
	kind: 'kernel' | 'uki';
	/** The accelerator of the boot that decided (the last one tried when unavailable; absent when none ran). */
	accel?: 'kvm' | 'tcg' | undefined;
	/** Why that accelerator: e.g. KVM printed nothing within the grace period, retried under TCG. */
	accelReason?: string;
	seconds: number;
	/** Files booted (system paths). */
	files: string[];
	cmdline: string;
	fsType: string;
	/** Console log (system path). */
	log: string;
	reason?: string;
	/** What kind of failure, for scripts: 'verify.secureboot-rejected' (the firmware refused the signature). */
	outcome?: string;
	/** The boot ran under enforcing Secure Boot firmware with this certificate enrolled. */
	secureBoot?: { cert: string; firmware: string };
	notes: string[];
	/** Boot entries marked bad after a failed check in the install pipeline (system paths). */
	demoted?: string[];
}

export type VerifyState = VerifyRecord['result'] | 'not verified';

function file(root: string, kv: string): string {
	return recordPath(root, 'verify', `${kv}.json`);
}

export function writeVerifyRecord(root: string, record: VerifyRecord): void {
	writeRecord(file(root, record.kv), record);
}

export function readVerifyRecord(root: string, kv: string): VerifyRecord | undefined {
	const record = recordOrUndefined(readRecord(file(root, kv), verifySchema)) as VerifyRecord | undefined;
	return record?.kv === kv ? record : undefined;
}

export function listVerifyRecords(root: string): VerifyRecord[] {
	return recordNames(recordPath(root, 'verify'))
		.filter((n) => n.endsWith('.json') && isKernelVersion(n.slice(0, -5)))
		.map((n) => readVerifyRecord(root, n.slice(0, -5)))
		.filter((r): r is VerifyRecord => r !== undefined);
}

/** A record only describes the files it booted: a newer install makes it stale. */
export function clearVerifyRecord(root: string, kv: string): void {
	removeRecord(file(root, kv));
}
