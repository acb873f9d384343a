// `dist-kernel setup --undo`: removes what `setup` recorded, and only that. A file edited since setup wrote it is
// left in place (it is the admin's now); directories go only when empty; the overlay only when it is ours.
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import { readTextOrUndefined } from '../../../lib/read-file';
import { underRoot } from '../../../lib/root';
import { readSetupRecord, removeSetupRecord, SETUP_RECORD } from '../../state/setup-record';
import { sha256 } from './config-protect';
import { type LifecycleContext, OVERLAY_REPO_NAME } from './run-setup';

export interface UndoReport {
	removed: string[];
	kept: string[];
}

export function undoSetup(context: LifecycleContext): UndoReport {
	const { root, logger, dryRun } = context;
	const record = readSetupRecord(root);
	if (!record) {
		throw new DistKernelError('setup.no-record', `nothing to undo: no setup record at ${SETUP_RECORD}`, {
			hint: 'only what `dist-kernel setup` wrote (and recorded) can be undone',
		});
	}
	const would = dryRun ? '(dry run) would remove' : 'removed';
	const removed: string[] = [];
	const kept: string[] = [];

	for (const file of record.files) {
		const full = underRoot(root, file.path);
		const text = readTextOrUndefined(full);
		if (text === undefined) continue;
		if (sha256(text) !== file.sha256) {
			logger.warn(`${file.path} was changed since setup wrote it: left in place`);
			kept.push(file.path);
			continue;
		}
		if (!dryRun) rmSync(full, { force: true });
		logger.info(`${would} ${file.path}`);
		removed.push(file.path);
	}

	if (record.overlay !== undefined) {
		const full = underRoot(root, record.overlay);
		const name = readTextOrUndefined(join(full, 'profiles', 'repo_name'))?.trim();
		if (name === OVERLAY_REPO_NAME) {
			if (!dryRun) rmSync(full, { recursive: true, force: true });
			logger.info(`${would} the generated overlay ${record.overlay}`);
			removed.push(record.overlay);
		} else if (name !== undefined) {
			logger.warn(`${record.overlay} is not the dist-kernel overlay any more (repo_name ${name}): left in place`);
			kept.push(record.overlay);
		}
	}

	// The record goes before the directory pass: its own directory is one setup may have created.
	if (!dryRun) removeSetupRecord(root);
	removed.push(SETUP_RECORD);

	for (const dir of [...record.dirs].reverse()) {
		if (removed.includes(dir)) continue;
		const full = underRoot(root, dir);
		let entries: string[];
		try {
			entries = readdirSync(full);
		} catch {
			continue;
		}
		// In a dry run the files above are still there: count them as gone.
		const left = entries.filter((e) => !removed.includes(join(dir, e)));
		if (left.length > 0) {
			kept.push(dir);
			continue;
		}
		if (!dryRun) rmdirSync(full);
		logger.info(`${would} the directory ${dir}`);
		removed.push(dir);
	}

	if (kept.length > 0) logger.info(`kept: ${kept.join(', ')}`);
	return { removed: removed.filter((p) => p !== SETUP_RECORD), kept };
}
