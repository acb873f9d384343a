import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseReposConf, type ReposConfSource } from './repos-conf';

const one = (text: string, path = '/etc/portage/repos.conf') => parseReposConf([{ path, text }]);
const section = (conf: ReturnType<typeof parseReposConf>, name: string) =>
	conf.sections.find((s) => s.name === name)?.options;

/** The real thing: Python's configparser configured as Portage configures it (SafeConfigParser + Portage's defaults). */
function pythonConfigparser(sources: ReposConfSource[]): Record<string, Record<string, string>> | { error: string } {
	const script = `
import configparser, json, sys, io
files = json.load(sys.stdin)
p = configparser.ConfigParser(defaults={"EPREFIX": "", "EROOT": "/", "PORTAGE_CONFIGROOT": "/", "ROOT": "/"})
try:
    for f in files:
        p.read_file(io.StringIO(f["text"]), source=f["path"])
    print(json.dumps({s: {k: p.get(s, k) for k in p.options(s)} for s in p.sections()}))
except configparser.Error as e:
    print(json.dumps({"error": type(e).__name__}))
`;
	return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(sources), encoding: 'utf8' }));
}

function ours(sources: ReposConfSource[]): Record<string, Record<string, string>> | { error: string } {
	try {
		const conf = parseReposConf(sources);
		return Object.fromEntries(conf.sections.map((s) => [s.name, s.options]));
	} catch (error) {
		return { error: (error as Error).message };
	}
}

describe('parseReposConf', () => {
	it('reads sections, [DEFAULT] inheritance, both delimiters, and lower-cases keys', () => {
		const conf = one('[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nLocation = /var/db/repos/gentoo\nsync-type: rsync\n');
		expect(section(conf, 'gentoo')).toMatchObject({
			location: '/var/db/repos/gentoo',
			'sync-type': 'rsync',
			'main-repo': 'gentoo',
		});
		expect(conf.defaults['main-repo']).toBe('gentoo');
	});

	it('interpolates %(EPREFIX)s and %%', () => {
		const conf = one('[gentoo]\nlocation = %(EPREFIX)s/var/db/repos/gentoo\nsync-uri = http://x/%%20\n');
		expect(section(conf, 'gentoo')).toMatchObject({ location: '/var/db/repos/gentoo', 'sync-uri': 'http://x/%20' });
	});

	it('later files override options of earlier ones and add sections', () => {
		const conf = parseReposConf([
			{ path: 'a', text: '[gentoo]\nlocation = /a\n' },
			{ path: 'b', text: '[gentoo]\nlocation = /b\n[local]\nlocation = /l\n' },
		]);
		expect(section(conf, 'gentoo')?.['location']).toBe('/b');
		expect(section(conf, 'local')?.['location']).toBe('/l');
	});

	it('keeps a path with spaces as the value, and joins continuation lines with newlines', () => {
		const conf = one('[x]\nlocation = /var/db/repos/my repo\nnote = first\n  second\n');
		expect(section(conf, 'x')?.['location']).toBe('/var/db/repos/my repo');
		expect(section(conf, 'x')?.['note']).toBe('first\nsecond');
	});

	it('ignores full-line comments but keeps inline # in values (configparser default)', () => {
		const conf = one('# c\n; c\n[x]\n  # indented comment\nlocation = /a # not a comment\n');
		expect(section(conf, 'x')?.['location']).toBe('/a # not a comment');
	});

	it.each([
		['an option before any section', 'location = /x\n', /section\] header/],
		['a line without delimiter', '[x]\nlocation\n', /key = value/],
		['a duplicate section in one file', '[x]\nlocation = /a\n[x]\nlocation = /b\n', /appears twice/],
		['a duplicate option', '[x]\nlocation = /a\nLOCATION = /b\n', /appears twice/],
		['a bad interpolation', '[x]\nlocation = /a%b\n', /'%'/],
		['a missing interpolation key', '[x]\nlocation = %(nothing)s/a\n', /not set/],
	])('rejects %s with the file and line', (_what, text, message) => {
		expect(() => one(text)).toThrow(/invalid repos.conf: \/etc\/portage\/repos.conf/);
		try {
			one(text);
		} catch (error) {
			expect(`${(error as Error).message}\n${(error as { details?: string }).details}`).toMatch(message);
		}
	});

	const differential: [string, ReposConfSource[]][] = [
		[
			'gentoo default',
			[
				{
					path: 'a',
					text: '[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\nsync-type = rsync\nsync-uri = rsync://rsync.gentoo.org/gentoo-portage\nauto-sync = yes\n',
				},
			],
		],
		[
			'two files',
			[
				{ path: 'a', text: '[gentoo]\nlocation = /a\n' },
				{ path: 'b', text: '[DEFAULT]\nx = 1\n[gentoo]\nlocation = /b\n[l]\nlocation=/l\n' },
			],
		],
		['continuations and blanks', [{ path: 'a', text: '[x]\nk = a\n\n  b\n\n\nj=2\n' }]],
		['colon, spaces, case', [{ path: 'a', text: '[My Repo]\n  Location :  /p q  \nA=B=C\n' }]],
		[
			'interpolation chain',
			[{ path: 'a', text: '[DEFAULT]\nbase = %(EPREFIX)s/var/db/repos\n[x]\nlocation = %(base)s/x\n' }],
		],
		['bracket in header', [{ path: 'a', text: '[a]b]\nlocation = /x\n' }]],
		['empty value', [{ path: 'a', text: '[x]\nlocation =\n' }]],
		['duplicate section', [{ path: 'a', text: '[x]\n[x]\n' }]],
		['no header', [{ path: 'a', text: 'a = b\n' }]],
	];
	it.each(differential)('agrees with Python configparser: %s', (_name, sources) => {
		const expected = pythonConfigparser(sources);
		const actual = ours(sources);
		if ('error' in expected) expect(actual).toHaveProperty('error');
		else expect(actual).toEqual(expected);
	});
});
