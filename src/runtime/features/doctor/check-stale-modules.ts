// Module packages built for another kernel than the newest installed one.
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export function checkStaleModules(report: StatusReport): Finding[] {
	return report.stale.map((stale) => ({
		id: 'modules.stale',
		level: 'warning' as const,
		subject: stale.cpv,
		message: `${stale.cpv}: ${stale.reasons.join('; ')}`,
		fix: stale.distKernel
			? 'emerge --update --deep --newuse @world   (or: emerge @module-rebuild)'
			: 'dist-kernel modules rebuild   (or enable USE=dist-kernel for it)',
	}));
}
