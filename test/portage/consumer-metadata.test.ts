// Real ::gentoo consumers (../shared/vendor/gentoo-consumers: zfs-kmod, nvidia-drivers, v4l2loopback,
// gentoo-kernel-bin, linux-firmware, with their whole eclass closure) get the same metadata from our eclasses as from
// Gentoo's. Real Portage computes every metadata key (portdbapi.aux_get, portage.auxdbkeys) once with Gentoo's
// eclasses and once with `eclass-overrides = dist-kernel` pointing at the committed overlay/; every difference must
// be explained by a row of README.md's table "Differences from Gentoo's eclasses" (parsed here, so README and test
// cannot drift), and every row must be needed by the sample and name an existing real-emerge test.
// The metadata phase needs no root, no chroot and no distfiles: Portage only sources the ebuilds.
import { execFile } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portageTree, VENDOR_DIR } from './portage-tree';

const REPO = resolve(import.meta.dirname, '..', '..');
const CONSUMERS = join(VENDOR_DIR, 'gentoo-consumers');
const OVERLAY = join(REPO, 'overlay');
const TABLE_HEADING = "Differences from Gentoo's eclasses";

type Metadata = Record<string, Record<string, string>>;

/** What Portage computes: every auxdb key of every ebuild in the stand-in ::gentoo. */
const AUX_GET = `
import json, sys
import portage
settings = portage.config(config_root=sys.argv[1], target_root='/', eprefix='')
db = portage.portdbapi(mysettings=settings)
keys = sorted(portage.auxdbkeys)
out = {}
for cp in db.cp_all(trees=[sys.argv[2]]):
    for cpv in db.cp_list(cp, mytree=sys.argv[2]):
        out[cpv] = dict(zip(keys, db.aux_get(cpv, keys, mytree=sys.argv[2])))
json.dump(out, sys.stdout)
`;

interface DifferenceRow {
	eclass: string;
	key: string;
	gentoo: string;
	ours: string;
	why: string;
	neededBy: string;
}

/** One table cell: `\|` is a literal pipe (GFM), a cell that is one code span gives its content. */
function cellText(raw: string): string {
	const text = raw.trim().replaceAll('\\|', '|');
	const code = /^`([^`]*)`$/.exec(text);
	return code ? code[1]! : text;
}

/** The rows of the first table after the heading "Differences from Gentoo's eclasses". */
function differenceRows(readme: string): DifferenceRow[] {
	const lines = readme.split('\n');
	const start = lines.findIndex((line) => /^#+ /.test(line) && line.includes(TABLE_HEADING));
	if (start < 0) throw new Error(`README.md has no heading "${TABLE_HEADING}"`);
	const rows: DifferenceRow[] = [];
	let inTable = false;
	for (const line of lines.slice(start + 1)) {
		if (/^#+ /.test(line)) break;
		if (!line.startsWith('|')) {
			if (inTable) break;
			continue;
		}
		inTable = true;
		const cells = line
			.slice(1, line.trimEnd().length - 1)
			.split(/(?<!\\)\|/)
			.map(cellText);
		if (cells.length !== 6) throw new Error(`a row of "${TABLE_HEADING}" needs 6 cells: ${line}`);
		if (cells[0] === 'eclass' || /^-+$/.test(cells[0]!)) continue;
		const [eclass, key, gentoo, ours, why, neededBy] = cells as [string, string, string, string, string, string];
		rows.push({ eclass, key, gentoo, ours, why, neededBy });
	}
	return rows;
}

const words = (value: string) => value.split(/\s+/).filter((w) => w.length > 0);

/** Replace every whole-word occurrence of the word sequence `from` in `value` by `to`. */
function replaceWords(value: string[], from: string[], to: string[]): { result: string[]; count: number } {
	const result: string[] = [];
	let count = 0;
	for (let i = 0; i < value.length; ) {
		if (from.length > 0 && from.every((w, j) => value[i + j] === w)) {
			result.push(...to);
			i += from.length;
			count++;
		} else {
			result.push(value[i]!);
			i++;
		}
	}
	return { result, count };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
	return new Promise((resolvePromise, reject) => {
		execFile(file, args, { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
			if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${String(stderr).trim() || error.message}`));
			else resolvePromise(String(stdout));
		});
	});
}

let dir = '';
let gentoo: Metadata = {};
let ours: Metadata = {};
const sample = readdirSync(CONSUMERS, { withFileTypes: true })
	.filter((e) => e.isDirectory() && e.name.includes('-'))
	.flatMap((cat) =>
		readdirSync(join(CONSUMERS, cat.name)).flatMap((pn) =>
			readdirSync(join(CONSUMERS, cat.name, pn))
				.filter((f) => f.endsWith('.ebuild'))
				.map((f) => `${cat.name}/${f.slice(0, -'.ebuild'.length)}`),
		),
	)
	.sort();

/** A ::gentoo stand-in (the sample, its eclasses, a minimal amd64 profile) and one config root per eclass set. */
function standIn(base: string): { repo: string; configRoot: (overrides: boolean) => string } {
	const repo = join(base, 'gentoo');
	const categories = readdirSync(CONSUMERS, { withFileTypes: true })
		.filter((e) => e.isDirectory())
		.map((e) => e.name);
	for (const name of categories) cpSync(join(CONSUMERS, name), join(repo, name), { recursive: true });
	const profile = join(repo, 'profiles', 'stand-in');
	mkdirSync(profile, { recursive: true });
	mkdirSync(join(repo, 'metadata'));
	writeFileSync(join(repo, 'profiles', 'repo_name'), 'gentoo\n');
	writeFileSync(
		join(repo, 'profiles', 'categories'),
		`${categories.filter((c) => c !== 'eclass').join('\n')}\nvirtual\n`,
	);
	writeFileSync(
		join(repo, 'metadata', 'layout.conf'),
		'masters =\nthin-manifests = true\nsign-manifests = false\nprofile-formats = portage-2\ncache-formats =\n',
	);
	writeFileSync(join(profile, 'eapi'), '5\n');
	writeFileSync(
		join(profile, 'make.defaults'),
		[
			'ARCH="amd64"',
			'ACCEPT_KEYWORDS="amd64 ~amd64"',
			'CHOST="x86_64-pc-linux-gnu"',
			'ELIBC="glibc"',
			'KERNEL="linux"',
			'USE_EXPAND="ELIBC KERNEL"',
			'USE_EXPAND_UNPREFIXED="ARCH"',
			'USE_EXPAND_IMPLICIT="ARCH ELIBC KERNEL"',
			'USE_EXPAND_VALUES_ARCH="alpha amd64 arm arm64 hppa loong m68k mips ppc ppc64 riscv s390 sparc x86"',
			'USE_EXPAND_VALUES_ELIBC="glibc"',
			'USE_EXPAND_VALUES_KERNEL="linux"',
			'IUSE_IMPLICIT="prefix prefix-guest prefix-stack"',
			'',
		].join('\n'),
	);
	const configRoot = (overrides: boolean) => {
		const root = join(base, overrides ? 'config-ours' : 'config-gentoo');
		mkdirSync(join(root, 'etc', 'portage', 'repos.conf'), { recursive: true });
		symlinkSync(profile, join(root, 'etc', 'portage', 'make.profile'));
		// the metadata cache goes to the temp dir, never to the host's /var/cache/edb
		writeFileSync(
			join(root, 'etc', 'portage', 'make.conf'),
			`PORTAGE_USERNAME="root"\nPORTAGE_GRPNAME="root"\nPORTAGE_DEPCACHEDIR="${join(root, 'depcache')}"\n`,
		);
		const repos = [`[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = ${repo}\n`];
		if (overrides) repos.push(`eclass-overrides = dist-kernel\n\n[dist-kernel]\nlocation = ${OVERLAY}\n`);
		writeFileSync(join(root, 'etc', 'portage', 'repos.conf', 'repos.conf'), repos.join(''));
		return root;
	};
	return { repo, configRoot };
}

beforeAll(async () => {
	const tree = await portageTree();
	dir = mkdtempSync(join(process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir(), 'dk-consumers-'));
	const { repo, configRoot } = standIn(dir);
	const auxGet = async (overrides: boolean): Promise<Metadata> => {
		const config = configRoot(overrides);
		const env = {
			PATH: process.env['PATH'],
			HOME: dir,
			LC_ALL: 'C.UTF-8',
			PYTHONPATH: join(tree, 'lib'),
			PORTAGE_CONFIGROOT: config,
			NOCOLOR: 'true',
		};
		return JSON.parse(await run('python3', ['-c', AUX_GET, config, repo], env)) as Metadata;
	};
	gentoo = await auxGet(false);
	ours = await auxGet(true);
});

afterAll(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

it('Portage sources every sample ebuild under both eclass sets', () => {
	expect(sample.length).toBe(5);
	expect(Object.keys(gentoo).sort()).toEqual(sample);
	expect(Object.keys(ours).sort()).toEqual(sample);
	// the override is in effect: our eclasses come from the dist-kernel overlay
	expect(ours['sys-fs/zfs-kmod-2.3.6']?.['IDEPEND']).toContain('sys-kernel/dist-kernel-runtime');
});

describe(`README.md's "${TABLE_HEADING}"`, () => {
	const rows = differenceRows(readFileSync(join(REPO, 'README.md'), 'utf8'));

	it('has rows, each saying why and naming an existing real-emerge test', () => {
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) {
			expect(row.why.length, `${row.eclass} ${row.key}`).toBeGreaterThan(20);
			const files = [...row.neededBy.matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((m) => m[1]!);
			expect(files, `${row.eclass} ${row.key}: needed by`).not.toEqual([]);
			for (const file of files) expect(existsSync(join(REPO, file)), file).toBe(true);
		}
	});

	it('explains every metadata difference of every sample ebuild, and every row is needed', () => {
		const used = new Set<DifferenceRow>();
		const unexplained: string[] = [];
		for (const cpv of sample) {
			const g = gentoo[cpv]!;
			const o = ours[cpv]!;
			expect(Object.keys(o).sort()).toEqual(Object.keys(g).sort());
			const inherited = words(g['INHERITED'] ?? '');
			for (const key of Object.keys(g).sort()) {
				let value = words(g[key]!);
				for (const row of rows) {
					if (row.key !== key || !inherited.includes(row.eclass)) continue;
					const { result, count } = replaceWords(value, words(row.gentoo), words(row.ours));
					if (count > 0) used.add(row);
					value = result;
				}
				// DEFINED_PHASES is a sorted set: a phase ours adds that the ebuild defines itself is there once
				if (key === 'DEFINED_PHASES') value = [...new Set(value)].sort();
				if (value.join(' ') !== words(o[key]!).join(' ')) {
					unexplained.push(`${cpv} ${key}:\n  Gentoo's eclasses: ${g[key]}\n  ours:              ${o[key]}`);
				}
			}
		}
		expect(unexplained.join('\n')).toBe('');
		expect(rows.filter((row) => !used.has(row)).map((row) => `${row.eclass} ${row.key}: ${row.gentoo}`)).toEqual([]);
	});
});
