// The fault suite (bench/faults/) in its small CI size, so CI exercises every fault class against today's bundle:
// fuzzed parsers, hostile command-line input, SIGKILL at install checkpoints, real ENOSPC on a tmpfs /boot and
// concurrent runs. `npm run faults` runs the same code with the full counts and prints the table.
import { beforeAll, describe, expect, it } from 'vitest';
import { type FaultRow, failedCount } from '../../bench/faults/fault-result';
import { runFaultSuite, SETTINGS, type SuiteResult } from '../../bench/faults/suite';

let result: SuiteResult;
const log: string[] = [];

beforeAll(async () => {
	result = await runFaultSuite('ci', (line) => log.push(line));
});

function rowsOf(kind: string): FaultRow[] {
	return result.rows.filter((r) => r.kind === kind);
}

function problems(rows: FaultRow[]): string[] {
	return rows
		.filter((r) => r.skipped !== undefined || failedCount(r) > 0)
		.map((r) => `${r.subject}: ${r.skipped ? `not run: ${r.skipped}` : r.notes}`);
}

describe('fault suite (ci size)', () => {
	it('runs in ci mode with the smaller counts', () => {
		expect(result.mode).toBe('ci');
		expect(SETTINGS.ci.fuzzCount).toBeLessThan(SETTINGS.full.fuzzCount);
	});

	it('fuzzed parsers: no crash, only typed DistKernelErrors', () => {
		const rows = rowsOf('fuzz');
		expect(rows.length).toBeGreaterThanOrEqual(10);
		for (const row of rows) if (!row.skipped) expect(row.tried).toBeGreaterThanOrEqual(SETTINGS.ci.fuzzCount);
		expect(problems(rows)).toEqual([]);
	});

	it('hostile kernel versions, package names, paths and boot configuration are refused before any write', () => {
		const rows = rowsOf('hostile input');
		expect(rows.map((r) => r.subject).sort()).toEqual([
			'boot configuration',
			'kernel versions',
			'package names',
			'paths and names',
			'symlinks planted in /boot',
		]);
		expect(problems(rows)).toEqual([]);
	});

	it('SIGKILL at install checkpoints leaves the previous or the new set, and a re-run completes', () => {
		const rows = rowsOf('SIGKILL');
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.reduce((n, r) => n + r.tried, 0)).toBeGreaterThanOrEqual(SETTINGS.ci.killPoints ?? 1);
		expect(problems(rows)).toEqual([]);
	});

	it('real ENOSPC on a small tmpfs /boot: clear error, nothing damaged', () => {
		const rows = rowsOf('ENOSPC');
		expect(rows.length).toBeGreaterThan(0);
		expect(problems(rows)).toEqual([]);
	});

	it('concurrent install/initramfs runs are serialized and end in the right state', () => {
		const rows = rowsOf('concurrency');
		expect(rows.length).toBe(1);
		expect(rows[0]!.tried).toBe(SETTINGS.ci.concurrent);
		expect(problems(rows)).toEqual([]);
	});
});
