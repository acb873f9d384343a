// Appends our line to /var/log/installkernel.log (and /var/lib/misc/installkernel, the last line, as installkernel
// keeps it), so an admin's existing log, scripts and logrotate keep working. Skipped when installkernel's own
// 99-write-log runs in the same install (a hook or kernel-install plugin), which writes the line itself.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../../lib/atomic-write';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import { formatInstallLogLine, type InstallLogRecord } from './log-line';

export const INSTALL_LOG = '/var/log/installkernel.log';
export const INSTALL_STATE = '/var/lib/misc/installkernel';

/** A plugin or hook that writes installkernel's log line itself. */
export function writesOwnLog(paths: readonly string[]): boolean {
	return paths.some((p) => /(^|\/)\d*-?write-log(\.install)?$/.test(p));
}

export function writeInstallLog(
	ctx: Pick<RuntimeContext, 'root' | 'dryRun' | 'logger'>,
	record: Omit<InstallLogRecord, 'date'>,
	date = new Date(),
): void {
	const line = formatInstallLogLine({ ...record, date });
	if (ctx.dryRun) {
		ctx.logger.info(`(dry run) would append to ${INSTALL_LOG}: ${line.replace(/\t/g, ' ')}`);
		return;
	}
	const log = systemPath(ctx, INSTALL_LOG);
	try {
		mkdirSync(dirname(log), { recursive: true, mode: 0o755 });
		appendFileSync(log, `${line}\n`, { mode: 0o644 });
		const state = systemPath(ctx, INSTALL_STATE);
		if (record.vendor === 'dist-kernel') {
			mkdirSync(dirname(state), { recursive: true, mode: 0o755 });
			writeFileAtomic(state, `${line}\n`, { mode: 0o644 });
		}
	} catch (error) {
		// The kernel is installed; a log that cannot be written must not undo that.
		ctx.logger.warn(`could not write ${INSTALL_LOG}: ${(error as Error).message}`);
	}
}
