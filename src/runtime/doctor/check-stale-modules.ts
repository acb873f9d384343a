// Module packages built for another kernel than the newest installed one.
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export function checkStaleModules(report: StatusReport): Finding[] {
	return report.stale.map((stale) => ({
		id: 'modules.stale',
		level: 'warning' as const,
		subject: stale.cpv,
		message: `${stale.cpv}: ${stale.reasons.join('; ')}`,
		fix: stale.distKernel ? 'emerge --update --deep --newuse @world   (or: emerge @module-rebuild)' : 'dist-kernel modules rebuild   (or enable USE=dist-kernel for it)',
	}));
}

export function checkBrokenEntries(report: StatusReport): Finding[] {
	return report.broken.map((broken) => ({
		id: 'vdb.broken-entry',
		level: 'warning' as const,
		subject: broken.cpv,
		message: `installed-package entry skipped: ${broken.error}`,
		fix: `inspect /var/db/pkg/${broken.cpv}; re-emerge the package to rewrite it (emerge --oneshot '=${broken.cpv}')`,
	}));
}

export function checkPending(report: StatusReport): Finding[] {
	return report.pending.map((p) => ({
		id: 'initramfs.pending',
		level: 'warning' as const,
		subject: p.kv,
		message: `initramfs work for ${p.kv} is pending since ${p.since} (waiting for ${p.waitingFor.join(', ') || 'nothing'}; the emerge that deferred it is still running)`,
		fix: 'let the running emerge finish; afterwards any dist-kernel command completes it',
	}));
}
