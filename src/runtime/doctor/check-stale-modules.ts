// Module packages built for another kernel than the newest installed one.
import { isProcessAlive } from '../coalesce/emerge-owner';
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
	return report.pending.map((p) => {
		const running = p.owner !== undefined && isProcessAlive(p.owner);
		return {
			id: 'initramfs.pending',
			level: running ? ('warning' as const) : ('error' as const),
			subject: p.kv,
			message: running
				? `the ${p.kind} of ${p.kv} is deferred since ${p.since} until ${p.waitingFor.join(', ') || 'the running emerge'} is merged`
				: `the deferred ${p.kind} of ${p.kv} (since ${p.since}) is still owed: completing it failed`,
			fix: running ? 'let the running emerge finish; afterwards any dist-kernel command completes it' : `dist-kernel ${p.kind === 'install' ? 'install' : 'initramfs'} ${p.kv}`,
		};
	});
}
