import { describe, expect, it } from 'vitest';
import { parseMtimedb } from './mtimedb';

describe('parseMtimedb', () => {
	it('reads the resume merge list as Portage writes it', () => {
		const text = JSON.stringify(
			{
				info: {},
				ldpath: {},
				resume: {
					favorites: ['@world'],
					mergelist: [
						['ebuild', '/', 'sys-kernel/gentoo-kernel-6.1.12', 'merge'],
						['binary', '/', 'sys-fs/zfs-kmod-2.2.0-r1', 'merge'],
					],
					myopts: { '--deep': true },
				},
				starttime: 0,
				updates: {},
				version: '3.0.66',
			},
			null,
			'\t',
		);
		const db = parseMtimedb(text);
		expect(db.resume?.mergelist.map((m) => [m.type, m.root, m.cpv.key, m.cpv.version.text, m.operation])).toEqual([
			['ebuild', '/', 'sys-kernel/gentoo-kernel', '6.1.12', 'merge'],
			['binary', '/', 'sys-fs/zfs-kmod', '2.2.0-r1', 'merge'],
		]);
		expect(db.resumeBackup).toBeUndefined();
	});
	it('treats an empty file and a file without resume as no pending merges', () => {
		expect(parseMtimedb('')).toEqual({});
		expect(parseMtimedb('{"starttime": 0}')).toEqual({});
	});
	it.each([
		'not json',
		'[]',
		'{"resume": 3}',
		'{"resume": {"mergelist": [["ebuild", "/"]]}}',
		'{"resume": {"mergelist": [["ebuild", "/", "junk", "merge"]]}}',
	])('rejects %j with mtimedb.parse', (text) =>
		expect(() => parseMtimedb(text)).toThrow(expect.objectContaining({ code: 'mtimedb.parse' })),
	);
});
