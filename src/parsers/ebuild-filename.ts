// `${PN}-${PVR}.ebuild` file names (PMS 4.2 "Package directories"): the version after the package name.
import { type PmsVersion, parsePmsVersion, withoutRevision } from './pms-version';

export type EbuildFilename =
	| { ok: true; version: PmsVersion /** PV: version without -rN. */; pv: string }
	| { ok: false; reason: string };

/** Parses a file name found in the directory of package `packageName`; undefined for files that are not ebuilds. */
export function parseEbuildFilename(fileName: string, packageName: string): EbuildFilename | undefined {
	if (!fileName.endsWith('.ebuild')) return undefined;
	const stem = fileName.slice(0, -'.ebuild'.length);
	const prefix = `${packageName}-`;
	if (!stem.startsWith(prefix)) return { ok: false, reason: `does not start with \`${prefix}\`` };
	const version = parsePmsVersion(stem.slice(prefix.length));
	if (!version) return { ok: false, reason: `\`${stem.slice(prefix.length)}\` is not a PMS version` };
	return { ok: true, version, pv: withoutRevision(version) };
}
