// KEYWORDS of an ebuild, from the metadata cache line `KEYWORDS=...` (PMS appendix "md5-dict") or, without a cache,
// from a one-line `KEYWORDS="..."` assignment in the ebuild. Pure; anything else yields undefined (never evaluate bash).

const KEYWORD_RE = /^(?:[~-]?[A-Za-z0-9_][A-Za-z0-9_-]*|-\*|\*|~\*)$/;

function splitKeywords(value: string): string[] | undefined {
	const words = value.split(/\s+/).filter(Boolean);
	return words.every((w) => KEYWORD_RE.test(w)) ? words : undefined;
}

/** md5-cache entry text (`KEY=value` lines). */
export function keywordsFromCacheEntry(text: string): string[] | undefined {
	const line = text.split('\n').find((l) => l.startsWith('KEYWORDS='));
	return line === undefined ? undefined : splitKeywords(line.slice('KEYWORDS='.length));
}

/** Ebuild text: the last top-level `KEYWORDS="..."` line with nothing to expand; undefined when there is none. */
export function keywordsFromEbuild(text: string): string[] | undefined {
	let found: string[] | undefined;
	for (const match of text.matchAll(/^[ \t]*KEYWORDS=(["']?)([^"'$`\\\n]*)\1[ \t]*(?:#.*)?$/gm)) {
		found = splitKeywords(match[2] ?? '');
	}
	return found;
}

/**
 * Keywords of a virtual that several ebuilds satisfy: an arch is stable when any provider is stable there, testing
 * when any is testing. Negative and wildcard entries are dropped. Sorted by arch name as Gentoo does.
 */
export function mergeKeywords(lists: readonly (readonly string[])[]): string[] {
	const level = new Map<string, 'stable' | 'testing'>();
	for (const list of lists) {
		for (const word of list) {
			if (word.startsWith('-') || word.includes('*')) continue;
			const arch = word.replace(/^~/, '');
			if (!word.startsWith('~')) level.set(arch, 'stable');
			else if (!level.has(arch)) level.set(arch, 'testing');
		}
	}
	return [...level].sort(([a], [b]) => compareArch(a, b)).map(([arch, l]) => (l === 'stable' ? arch : `~${arch}`));
}

/** Gentoo orders keywords with plain arches first, then prefix arches (containing '-'), each alphabetically. */
function compareArch(a: string, b: string): number {
	const pa = a.includes('-') ? 1 : 0;
	const pb = b.includes('-') ? 1 : 0;
	if (pa !== pb) return pa - pb;
	return a < b ? -1 : a > b ? 1 : 0;
}
