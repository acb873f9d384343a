// /var/log/emerge.log, written by Portage's emergelog(): `SECONDS:  MESSAGE` per line. The lines that tell how a
// package reached this system (gentoo/portage lib/_emerge/EbuildBuild.py and Binpkg.py):
//   " === (1 of 3) Compiling/Merging (cat/pkg-1.0::/path/to/pkg-1.0.ebuild)"   built from source here
//   " --- (1 of 3) Fetching Binary (cat/pkg-1.0::/var/cache/binpkgs/…)"      downloaded from a binhost
//   " === (1 of 3) Merging Binary (cat/pkg-1.0::/var/cache/binpkgs/…)"       merged from a binary package
// Pure: text in, the last record per package out.

export type MergeKind = 'source' | 'binary';

export interface MergeRecord {
	cpv: string;
	kind: MergeKind;
	/** The binary package was fetched from a binhost in the same emerge (logged before the merge). */
	fetched: boolean;
	/** Seconds since the epoch, from the line. */
	time: number;
}

const LINE_RE =
	/^(\d+):\s+(===|---) \(\d+ of \d+\) (Compiling\/Merging|Merging Binary|Fetching Binary) \(([^:\s]+\/[^:\s]+)::/;

/** The last merge of each package (a later merge replaces an earlier one). Lines of other shapes are ignored. */
export function parseEmergeLog(text: string): Map<string, MergeRecord> {
	const out = new Map<string, MergeRecord>();
	const fetchedAt = new Map<string, number>();
	for (const line of text.split('\n')) {
		const match = LINE_RE.exec(line);
		if (!match) continue;
		const time = Number(match[1]);
		const what = match[3];
		const cpv = match[4] as string;
		if (what === 'Fetching Binary') {
			fetchedAt.set(cpv, time);
			continue;
		}
		const kind: MergeKind = what === 'Merging Binary' ? 'binary' : 'source';
		const fetched = kind === 'binary' && fetchedAt.has(cpv);
		fetchedAt.delete(cpv);
		out.set(cpv, { cpv, kind, fetched, time });
	}
	return out;
}
