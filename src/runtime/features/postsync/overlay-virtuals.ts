// Which virtual/dist-kernel versions the generated overlay has now: compared before and after a regeneration to
// tell the admin what changed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersionStrings, parsePmsVersion } from '../../../parsers/pms-version';

/** Versions (PVR) of `virtual/dist-kernel/dist-kernel-*.ebuild` in `overlayFull`, sorted; empty when absent. */
export function overlayVirtualVersions(overlayFull: string): string[] {
	let names: string[];
	try {
		names = readdirSync(join(overlayFull, 'virtual', 'dist-kernel'));
	} catch {
		return [];
	}
	return names
		.map((n) => /^dist-kernel-(.+)\.ebuild$/.exec(n)?.[1])
		.filter((v): v is string => v !== undefined && parsePmsVersion(v) !== undefined)
		.sort(compareVersionStrings);
}

export interface VersionChanges {
	added: string[];
	removed: string[];
}

export function diffVersions(before: readonly string[], after: readonly string[]): VersionChanges {
	return { added: after.filter((v) => !before.includes(v)), removed: before.filter((v) => !after.includes(v)) };
}
