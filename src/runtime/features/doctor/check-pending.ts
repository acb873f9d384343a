// Deferred initramfs work still owed: waiting for the running emerge, or left by a failed completion.
import { isProcessAlive } from '../../portage/emerge/emerge-owner';
import type { StatusReport } from '../status/collect-status';
import type { Finding } from './finding';

export function checkPending(report: StatusReport): Finding[] {
	return report.pending.map((p) => {
		const running = p.owner !== undefined && isProcessAlive(p.owner);
		const asked = p.requestedBy.join(', ') || 'an earlier run';
		return {
			id: 'initramfs.pending',
			level: running ? ('warning' as const) : ('error' as const),
			subject: p.kv,
			message: running
				? `the ${p.kind} of ${p.kv} (asked by ${asked}) is deferred since ${p.since} until ${p.waitingFor.join(', ') || 'the running emerge'} is merged`
				: `the deferred ${p.kind} of ${p.kv} (asked by ${asked}, since ${p.since}) is still owed: completing it failed`,
			fix: running
				? 'let the running emerge finish; afterwards any dist-kernel command completes it'
				: `dist-kernel ${p.kind === 'install' ? 'install' : 'initramfs'} ${p.kv}`,
		};
	});
}
