// Installed-package entries the scan had to skip: Portage itself may misbehave on them.
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export function checkBrokenEntries(report: StatusReport): Finding[] {
	return report.broken.map((broken) => ({
		id: 'vdb.broken-entry',
		level: 'warning' as const,
		subject: broken.cpv,
		message: `installed-package entry skipped: ${broken.error}`,
		fix: `inspect /var/db/pkg/${broken.cpv}; re-emerge the package to rewrite it (emerge --oneshot '=${broken.cpv}')`,
	}));
}
