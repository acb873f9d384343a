// The last verification of each kernel, for status/doctor: /var/lib/dist-kernel/verify/<KV>.json, atomic.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-write';
import { underRoot } from '../../lib/root';
import { isKernelVersion } from '../../lib/validate';

export const VERIFY_STATE_DIR = '/var/lib/dist-kernel/verify';

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

function dir(root: string): string {
	return underRoot(root, VERIFY_STATE_DIR);
}

export function writeVerifyRecord(root: string, record: VerifyRecord): void {
	mkdirSync(dir(root), { recursive: true, mode: 0o755 });
	writeFileAtomic(join(dir(root), `${record.kv}.json`), `${JSON.stringify(record, null, '\t')}\n`);
}

export function readVerifyRecord(root: string, kv: string): VerifyRecord | undefined {
	try {
		const data = JSON.parse(readFileSync(join(dir(root), `${kv}.json`), 'utf8')) as Partial<VerifyRecord>;
		if (data.kv !== kv || !['verified', 'failed', 'unavailable'].includes(data.result ?? '') || typeof data.at !== 'string') return undefined;
		return data as VerifyRecord;
	} catch {
		return undefined;
	}
}

export function listVerifyRecords(root: string): VerifyRecord[] {
	let names: string[];
	try {
		names = readdirSync(dir(root));
	} catch {
		return [];
	}
	return names
		.filter((n) => n.endsWith('.json') && isKernelVersion(n.slice(0, -5)))
		.map((n) => readVerifyRecord(root, n.slice(0, -5)))
		.filter((r): r is VerifyRecord => r !== undefined);
}

/** A record only describes the files it booted: a newer install makes it stale. */
export function clearVerifyRecord(root: string, kv: string): void {
	rmSync(join(dir(root), `${kv}.json`), { force: true });
}
