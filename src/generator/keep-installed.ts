// Installed virtual/dist-kernel versions keep their ebuild after their kernel version left every repository:
// Portage must always find an ebuild for an installed package. Such a virtual is keyworded like the virtuals of
// the versions still offered (all arches seen, stable where any provider is), so it stays visible.
import { mergeKeywords } from '../parsers/ebuild-keywords';
import { comparePmsVersions, parsePmsVersion } from '../parsers/pms-version';
import type { PlannedVirtual } from './plan-virtuals';

/** `planned` plus a virtual for each version of `keep` (PVs) that has none, in PMS order. */
export function keepInstalledVirtuals(planned: readonly PlannedVirtual[], keep: readonly string[]): PlannedVirtual[] {
	const out = [...planned];
	const keywords = mergeKeywords(planned.map((v) => v.keywords));
	for (const pv of keep) {
		const version = parsePmsVersion(pv);
		if (!version || out.some((v) => comparePmsVersions(v.version, version) === 0)) continue;
		out.push({ version, keywords: keywords.length > 0 ? keywords : ['~amd64', '~arm64'], sources: [] });
	}
	return out.sort((a, b) => comparePmsVersions(a.version, b.version));
}
