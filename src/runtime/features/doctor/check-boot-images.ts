// Kernel installed without an initramfs or UKI (it would boot into a panic when the root needs any module), or
// not installed into the boot partitions at all.
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export function checkBootImages(report: StatusReport): Finding[] {
	const findings: Finding[] = [];
	for (const kernel of report.kernels) {
		const { kernels, initrds, ukis, emptyInitrds } = kernel.boot;
		const fix = kernel.cpv
			? `dist-kernel install ${kernel.kv}   (or: emerge --config '=${kernel.cpv}')`
			: `dist-kernel install ${kernel.kv}`;
		if (kernel.pending === 'install') {
			findings.push({
				id: 'kernel.install-pending',
				level: 'warning',
				subject: kernel.kv,
				message: `kernel ${kernel.kv} is merged but its installation into /boot is still pending (deferred until its modules are rebuilt)`,
				fix,
			});
			continue;
		}
		if (ukis.length > 0) continue;
		if (kernels.length === 0 && initrds.length === 0) {
			findings.push({
				id: 'kernel.not-installed',
				level: 'warning',
				subject: kernel.kv,
				message: `kernel ${kernel.kv} is not installed in the boot partitions`,
				fix,
			});
		} else if (kernels.length > 0 && initrds.length > 0 && emptyInitrds.length === initrds.length) {
			findings.push({
				id: 'kernel.empty-initramfs',
				level: 'error',
				subject: kernel.kv,
				message: `kernel ${kernel.kv} is installed with an empty initramfs (${initrds.join(', ')}) and no UKI`,
				fix,
			});
		} else if (kernels.length > 0 && initrds.length === 0) {
			findings.push({
				id: 'kernel.no-initramfs',
				level: 'error',
				subject: kernel.kv,
				message: `kernel ${kernel.kv} is installed (${kernels.join(', ')}) without an initramfs or UKI`,
				fix,
			});
		}
	}
	return findings;
}
