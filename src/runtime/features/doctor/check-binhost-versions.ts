// A client whose overlay lacks a virtual/dist-kernel version that a binhost offers cannot take that kernel's
// binary packages: emerge only uses a binary package whose ebuild it can see (unless --usepkgonly), and module
// binpkgs built against that kernel record `virtual/dist-kernel:0/<PVR>=`. Say so before the admin wonders why.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { underRoot } from '../../../lib/root';
import { splitNameVersion } from '../../../parsers/atom';
import { withoutRevision } from '../../../parsers/pms-version';
import type { KnownIndex } from '../../portage/binhost/binhost-indexes';
import type { Finding } from './finding';

export const VIRTUAL_CPN = 'virtual/dist-kernel';

/** PVs of virtual/dist-kernel ebuilds present in the overlay. */
export function overlayVirtualVersions(root: string, overlayDir: string): Set<string> {
	const out = new Set<string>();
	let names: string[] = [];
	try {
		names = readdirSync(join(underRoot(root, overlayDir), VIRTUAL_CPN));
	} catch {
		return out;
	}
	for (const name of names) {
		if (!name.endsWith('.ebuild')) continue;
		const split = splitNameVersion(name.slice(0, -'.ebuild'.length));
		if (split && split.name === 'dist-kernel') out.add(withoutRevision(split.version));
	}
	return out;
}

export function checkBinhostVersions(
	indexes: readonly KnownIndex[],
	overlayVersions: ReadonlySet<string>,
	overlayDir: string,
	kernelPackages: readonly string[],
): Finding[] {
	const findings: Finding[] = [];
	const seen = new Set<string>();
	for (const index of indexes) {
		if (index.kind !== 'remote') continue;
		for (const pkg of index.packages) {
			const [category, pf] = pkg.cpv.split('/');
			const split = pf ? splitNameVersion(pf) : undefined;
			if (!category || !split) continue;
			const key = `${category}/${split.name}`;
			if (key !== VIRTUAL_CPN && !kernelPackages.includes(key)) continue;
			const pv = withoutRevision(split.version);
			if (overlayVersions.has(pv) || seen.has(`${index.source}\0${pv}`)) continue;
			seen.add(`${index.source}\0${pv}`);
			findings.push({
				id: 'binhost.version-missing',
				level: 'warning',
				subject: pkg.cpv,
				message: `binhost ${index.source} offers ${pkg.cpv}, but the overlay ${overlayDir} has no ${VIRTUAL_CPN}-${pv}: emerge will not take this kernel version (or modules built for it) from the binhost`,
				fix: `sync the repository that provides kernel ${pv} (emerge --sync), then run dist-kernel generate`,
			});
		}
	}
	return findings;
}
