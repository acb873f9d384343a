// Boot verification findings: a kernel whose last verification failed (error when it is the newest: the next
// boot loader refresh may make it the default), and with verify-boot = qemu, a kernel never verified or whose
// verification could not run here.
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export function checkVerification(report: StatusReport, verifyBoot: 'no' | 'qemu'): Finding[] {
	const findings: Finding[] = [];
	for (const k of report.kernels) {
		const v = k.verification;
		if (v.state === 'failed') {
			findings.push({
				id: v.outcome ?? 'verify.failed',
				level: k.newest ? 'error' : 'warning',
				subject: k.kv,
				message: `boot verification of ${k.kv} failed at ${v.at ?? 'an unknown time'}: ${v.reason ?? 'unknown reason'}${v.log ? ` (console log: ${v.log})` : ''}`,
				fix: `fix the cause (the log shows how far the boot got), then: dist-kernel install ${k.kv}`,
			});
		} else if (v.state === 'unavailable' && verifyBoot === 'qemu') {
			findings.push({
				id: 'verify.unavailable',
				level: 'warning',
				subject: k.kv,
				message: `the boot of ${k.kv} could not be verified on this machine (nothing is known about the image): ${v.reason ?? 'unknown reason'}`,
				fix: `make QEMU able to run a guest here (or set verify-accel = tcg), then: dist-kernel verify ${k.kv}`,
			});
		} else if (
			v.state === 'not verified' &&
			verifyBoot === 'qemu' &&
			(k.boot.kernels.length > 0 || k.boot.ukis.length > 0)
		) {
			findings.push({
				id: 'verify.missing',
				level: 'info',
				subject: k.kv,
				message: `${k.kv} is installed but its boot was never verified`,
				fix: `dist-kernel verify ${k.kv}`,
			});
		}
	}
	return findings;
}
