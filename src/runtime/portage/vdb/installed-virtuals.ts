// Installed virtual/dist-kernel versions (VDB): each must keep an ebuild in the overlay even after its kernel
// version left the repositories, or Portage would see an installed package it cannot find anywhere.

import { isDistKernelError } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import { compareVersionStrings, withoutRevision } from '../../../parsers/pms-version';
import { listVdbEntries, readVdbEntry } from './read-vdb';

export const VIRTUAL_KEY = 'virtual/dist-kernel';

export interface InstalledVirtual {
	/** Version without revision, e.g. 6.12.8. */
	pv: string;
	/** Version with revision as installed, e.g. 6.12.8-r1. */
	pvr: string;
	/** Repository it was installed from, when the VDB says. */
	repository?: string;
}

/** Installed `virtual/dist-kernel` versions, oldest first. A broken VDB entry is warned about and skipped. */
export function installedVirtuals(root: string, logger?: Logger): InstalledVirtual[] {
	const out: InstalledVirtual[] = [];
	for (const cpv of listVdbEntries(root)) {
		if (!cpv.startsWith(`${VIRTUAL_KEY}-`)) continue;
		try {
			const pkg = readVdbEntry(root, cpv, false);
			if (pkg.key !== VIRTUAL_KEY) continue;
			out.push({
				pv: withoutRevision(pkg.version),
				pvr: pkg.version.text,
				...(pkg.repository ? { repository: pkg.repository } : {}),
			});
		} catch (error) {
			if (!isDistKernelError(error)) throw error;
			logger?.warn(`skipping a broken installed-package entry: ${cpv} (${error.message})`);
		}
	}
	return out.sort((a, b) => compareVersionStrings(a.pvr, b.pvr));
}
