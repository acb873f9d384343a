import { describe, expect, it } from 'vitest';
import { parseEmergeLog } from './emerge-log';

const LOG = `1764000000: Started emerge on: Dec 03, 2026 10:00:00
1764000001:  *** emerge --getbinpkg @world
1764000002:  --- (1 of 3) Fetching Binary (sys-kernel/gentoo-kernel-bin-6.1.12::/var/cache/binpkgs/sys-kernel/gentoo-kernel-bin/gentoo-kernel-bin-6.1.12-1.gpkg.tar)
1764000003:  === (1 of 3) Merging Binary (sys-kernel/gentoo-kernel-bin-6.1.12::/var/cache/binpkgs/sys-kernel/gentoo-kernel-bin/gentoo-kernel-bin-6.1.12-1.gpkg.tar)
1764000004:  === (2 of 3) Merging Binary (virtual/dist-kernel-6.1.12::/var/cache/binpkgs/virtual/dist-kernel/dist-kernel-6.1.12-1.gpkg.tar)
1764000005:  === (3 of 3) Compiling/Merging (app-misc/mod-1::/var/db/repos/gentoo/app-misc/mod/mod-1.ebuild)
1764000006:  >>> emerge (3 of 3) app-misc/mod-1 to /
`;

describe('parseEmergeLog', () => {
	it('tells source builds, fetched binaries and local binaries apart', () => {
		const log = parseEmergeLog(LOG);
		expect(log.get('sys-kernel/gentoo-kernel-bin-6.1.12')).toEqual({
			cpv: 'sys-kernel/gentoo-kernel-bin-6.1.12',
			kind: 'binary',
			fetched: true,
			time: 1764000003,
		});
		expect(log.get('virtual/dist-kernel-6.1.12')).toMatchObject({ kind: 'binary', fetched: false });
		expect(log.get('app-misc/mod-1')).toMatchObject({ kind: 'source', fetched: false });
		expect(log.size).toBe(3);
	});

	it('keeps the last merge of a package', () => {
		const log = parseEmergeLog(
			`${LOG}1764000100:  === (1 of 1) Compiling/Merging (sys-kernel/gentoo-kernel-bin-6.1.12::/x.ebuild)\n`,
		);
		expect(log.get('sys-kernel/gentoo-kernel-bin-6.1.12')).toMatchObject({ kind: 'source', time: 1764000100 });
	});

	it('ignores garbage lines', () => {
		expect(parseEmergeLog('garbage\n\0\n12: === (x of y) Merging Binary (a/b-1::p)\n').size).toBe(0);
	});
});
