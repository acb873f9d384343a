import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { renderReposConf } from './repos-conf-text';

/**
 * Reads a repos.conf directory the way Portage does: every file in name order (dot files skipped) into one
 * Python ConfigParser with one read_file call per file (gentoo/portage lib/portage/util/configparser.py).
 */
function portageView(dir: string): Record<string, Record<string, string>> {
	const script = [
		'import configparser, json, os, sys',
		'p = configparser.ConfigParser()',
		'd = sys.argv[1]',
		'for f in sorted(os.listdir(d)):',
		'    if f.startswith(".") or f.endswith("~"): continue',
		'    with open(os.path.join(d, f)) as fh: p.read_file(fh, source=f)',
		'print(json.dumps({s: dict(p.items(s)) for s in p.sections()}))',
	].join('\n');
	return JSON.parse(execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' }));
}

describe('renderReposConf', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	it('declares a local overlay that is never synced', () => {
		temp = makeTempRoot();
		temp.write(
			'/repos.conf/dist-kernel.conf',
			renderReposConf({ repoName: 'dist-kernel', location: '/var/db/repos/dist-kernel' }),
		);
		expect(portageView(temp.path('repos.conf'))).toEqual({
			'dist-kernel': { location: '/var/db/repos/dist-kernel', priority: '100', 'auto-sync': 'no' },
		});
	});

	it("merges eclass-overrides into the admin's own gentoo section without touching it", () => {
		temp = makeTempRoot();
		temp.write(
			'/repos.conf/gentoo.conf',
			'[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\nsync-type = rsync\nsync-uri = rsync://rsync.gentoo.org/gentoo-portage\n',
		);
		temp.write(
			'/repos.conf/dist-kernel.conf',
			renderReposConf({
				repoName: 'dist-kernel',
				location: '/var/db/repos/dist-kernel',
				eclassOverrides: { repo: 'gentoo', value: 'dist-kernel' },
			}),
		);
		// A proposal waiting for etc-update must not be read as configuration.
		temp.write('/repos.conf/._cfg0000_dist-kernel.conf', '[dist-kernel]\nlocation = /elsewhere\n');
		const view = portageView(temp.path('repos.conf'));
		expect(view['gentoo']).toMatchObject({
			location: '/var/db/repos/gentoo',
			'sync-type': 'rsync',
			'eclass-overrides': 'dist-kernel',
		});
		expect(view['dist-kernel']?.location).toBe('/var/db/repos/dist-kernel');
	});
});
