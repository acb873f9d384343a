// A verification guest watched on its console: stand-in `qemu-system-x86_64` programs first on PATH behave like the
// guests a machine may give us (a kernel that prints its banner, a nested-KVM guest that prints nothing or only its
// setup code's line for ever, a QEMU killed by the OOM killer), and each run ends with what happened, never waiting
// past its deadline for a guest that shows nothing.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExec } from '../../../lib/exec';
import { createMemoryLogger } from '../../../lib/log';
import { describeNoKernel, planAccel } from './accel';
import { runGuest } from './guest-run';
import { judgeRun } from './verify-kernel';

let dir: string | undefined;
afterEach(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An exec whose `qemu-system-x86_64` is `script`. */
function withQemu(script: string) {
	dir = mkdtempSync(join(tmpdir(), 'dk-guest-'));
	const qemu = join(dir, 'qemu-system-x86_64');
	writeFileSync(qemu, `#!/bin/sh\n${script}\n`);
	chmodSync(qemu, 0o755);
	return {
		exec: createExec({
			logger: createMemoryLogger(),
			env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` },
		}),
	};
}

const BANNER = "echo '[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org)'";
// Deadlines of a few hundred milliseconds against programs that never print: the outcome does not depend on them.
const SHORT = 300;
const LONG = 600_000;

describe('runGuest', () => {
	it('a guest that prints the banner and powers off: exited 0, banner seen', async () => {
		const run = await runGuest(withQemu(`echo 'SeaBIOS'; ${BANNER}; echo 'reboot: Power down'`), [], {
			bannerWithinMs: LONG,
			timeoutMs: LONG,
		});
		expect(run.result).toEqual({ end: 'exited', exitCode: 0 });
		expect(run).toMatchObject({ banner: true, output: true, lastLine: 'reboot: Power down' });
	});

	it('the probe stops the guest at its banner', async () => {
		const run = await runGuest(withQemu(`${BANNER}; exec sleep 100000`), [], {
			bannerWithinMs: LONG,
			stopAtBanner: true,
			timeoutMs: LONG,
		});
		expect(run.result).toEqual({ end: 'banner' });
		expect(describeNoKernel(run, 'kvm')).toBeUndefined();
	});

	it('a guest that prints nothing is stopped at its deadline', async () => {
		const run = await runGuest(withQemu('exec sleep 100000'), [], { bannerWithinMs: SHORT, timeoutMs: LONG });
		expect(run.result).toEqual({ end: 'silent', afterMs: SHORT, missing: 'output' });
		expect(describeNoKernel(run, 'kvm')).toBe('the guest printed nothing within 0.3 s under KVM');
	});

	it("a nested-KVM guest that prints its setup code's line and then spins is described by that line", () => {
		// (as a record: when such a guest's deadline passes depends on how fast its first line came)
		const run = {
			result: { end: 'silent', afterMs: 20_000, missing: 'banner' } as const,
			banner: false,
			output: true,
			lastLine: 'Probing EDD (edd=off to disable)... ok',
			stderr: '',
		};
		expect(describeNoKernel(run, 'kvm')).toBe(
			'the kernel printed no banner within 20 s under KVM (its console\'s last line: "Probing EDD (edd=off to disable)... ok")',
		);
	});

	it('QEMU refusing to start (no memory) exits non-zero; QEMU killed by a signal is a QEMU failure', async () => {
		const refused = await runGuest(
			withQemu('echo "qemu-system-x86_64: cannot set up guest memory \'pc.ram\': Cannot allocate memory" >&2; exit 1'),
			[],
			{ bannerWithinMs: LONG, timeoutMs: LONG },
		);
		expect(refused.result).toEqual({ end: 'exited', exitCode: 1 });
		expect(describeNoKernel(refused, 'tcg')).toBe(
			"QEMU exited with status 1 under TCG before the kernel's banner: qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory",
		);
		rmSync(dir!, { recursive: true, force: true });
		const killed = await runGuest(withQemu('kill -9 $$'), [], { bannerWithinMs: LONG, timeoutMs: LONG });
		expect(killed.result.end).toBe('qemu-failed');
	});
});

describe('judging a run', () => {
	const ok = { ok: true } as const;
	const noRecord = { ok: false, reason: 'the guest never ran the test init' } as const;
	const run = (result: Parameters<typeof judgeRun>[0]['result'], banner: boolean, output = banner) => ({
		result,
		banner,
		output,
		lastLine: '',
		stderr: '',
	});

	it('only a guest whose kernel started and then did not prove the boot is a failed image', () => {
		expect(judgeRun(run({ end: 'exited', exitCode: 0 }, true), 'tcg', ok, true, 600)).toEqual({ result: 'verified' });
		expect(judgeRun(run({ end: 'exited', exitCode: 0 }, true), 'tcg', noRecord, true, 600)).toEqual({
			result: 'failed',
			reason: noRecord.reason,
		});
		expect(judgeRun(run({ end: 'timeout' }, true), 'tcg', noRecord, true, 600)).toEqual({
			result: 'failed',
			reason: 'the guest did not finish within 600 s (verify-timeout)',
		});
		// no banner: the machine's fault, whatever the result disk says
		expect(judgeRun(run({ end: 'exited', exitCode: 0 }, false, true), 'tcg', noRecord, true, 600).result).toBe(
			'unavailable',
		);
		expect(
			judgeRun(run({ end: 'silent', afterMs: 20_000, missing: 'output' }, false), 'kvm', noRecord, true, 600).result,
		).toBe('unavailable');
		expect(judgeRun(run({ end: 'exited', exitCode: 1 }, true), 'kvm', noRecord, true, 600).result).toBe('unavailable');
		expect(judgeRun(run({ end: 'qemu-failed', message: 'killed' }, true), 'tcg', noRecord, true, 600).result).toBe(
			'unavailable',
		);
		// a UKI whose console cannot show the kernel: a guest that ran counts as started
		expect(judgeRun(run({ end: 'exited', exitCode: 0 }, false, true), 'tcg', noRecord, false, 600).result).toBe(
			'failed',
		);
		expect(judgeRun(run({ end: 'exited', exitCode: 0 }, false, false), 'tcg', noRecord, false, 600).result).toBe(
			'unavailable',
		);
	});
});

describe('planAccel', () => {
	it('KVM first only when /dev/kvm is usable and not ruled out; TCG after it', () => {
		expect(planAccel('auto', true).candidates).toEqual(['kvm', 'tcg']);
		expect(planAccel('auto', false).candidates).toEqual(['tcg']);
		expect(planAccel('tcg', true).candidates).toEqual(['tcg']);
		expect(planAccel('kvm', false).candidates).toEqual(['kvm']);
	});
});
