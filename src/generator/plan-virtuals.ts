// One virtual/dist-kernel version per distinct kernel version found, in PMS order, with the providers' keywords.
import type { Logger } from '../lib/log';
import { mergeKeywords } from '../parsers/ebuild-keywords';
import { comparePmsVersions, type PmsVersion, parsePmsVersion } from '../parsers/pms-version';
import type { KernelEbuild } from './scan-kernels';

export interface Provider {
	package: string;
	/** gentoo/gentoo's virtual names vanilla-kernel as `${PV%_p*}`: upstream has no Gentoo patch releases. */
	stripPatch: boolean;
}

export interface PlannedVirtual {
	version: PmsVersion;
	keywords: string[];
	/** Repositories holding a matching ebuild. */
	sources: string[];
}

/** Keywords used when no provider of a version has readable KEYWORDS: testing on the arches seen anywhere. */
const LAST_RESORT_KEYWORDS = ['~amd64', '~arm64'];

export function providersFor(packages: readonly string[]): Provider[] {
	return packages.map((pkg) => ({ package: pkg, stripPatch: pkg.split('/')[1] === 'vanilla-kernel' }));
}

/** `${PV%_p*}`: bash removes the shortest suffix starting with `_p`. */
export function stripPatchSuffix(pv: string): string {
	const at = pv.lastIndexOf('_p');
	return at === -1 ? pv : pv.slice(0, at);
}

export function planVirtuals(
	ebuilds: readonly KernelEbuild[],
	providers: readonly Provider[],
	logger: Logger,
): PlannedVirtual[] {
	// Distinct PVs; versions that compare equal (6.1.0 vs 6.1.00) would collide in one package: keep the first by text.
	const distinct: PmsVersion[] = [];
	for (const pv of [...new Set(ebuilds.map((e) => e.pv))].sort()) {
		const version = parsePmsVersion(pv);
		if (!version) continue;
		if (distinct.some((d) => comparePmsVersions(d, version) === 0)) {
			logger.warn(`kernel version ${pv} equals another version found; one virtual is written for both`);
			continue;
		}
		distinct.push(version);
	}
	distinct.sort(comparePmsVersions);

	const anyKeywords = mergeKeywords(ebuilds.flatMap((e) => (e.keywords ? [e.keywords] : []))).map((k) =>
		k.startsWith('~') ? k : `~${k}`,
	);
	return distinct.map((version) => {
		const matching = ebuilds.filter((e) =>
			providers.some(
				(p) => p.package === e.package && e.pv === (p.stripPatch ? stripPatchSuffix(version.text) : version.text),
			),
		);
		const known = matching.flatMap((e) => (e.keywords ? [e.keywords] : []));
		let keywords = mergeKeywords(known);
		if (known.length === 0) {
			keywords = anyKeywords.length > 0 ? anyKeywords : LAST_RESORT_KEYWORDS;
			logger.warn(`no readable KEYWORDS for kernel version ${version.text}: virtual keyworded ${keywords.join(' ')}`);
		}
		return { version, keywords, sources: [...new Set(matching.map((e) => e.repository))].sort() };
	});
}
