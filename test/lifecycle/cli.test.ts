// The lifecycle commands as the admin and the hook call them: the bundled program as a process.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

function gentooRoot(): TempRoot {
	const temp = makeTempRoot('dk-cli-');
	temp.write('/etc/gentoo-release', 'Gentoo Base System release 2.17\n');
	temp.write(
		'/etc/portage/repos.conf/gentoo.conf',
		'[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\n',
	);
	temp.write('/var/db/repos/gentoo/profiles/repo_name', 'gentoo\n');
	temp.write('/var/db/repos/gentoo/sys-kernel/gentoo-kernel/gentoo-kernel-6.12.8.ebuild', 'EAPI=8\nKEYWORDS="amd64"\n');
	return temp;
}

describe('dist-kernel setup / postsync / clean on the command line', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	it('setup, then setup --undo, leave the root as it was', async () => {
		temp = gentooRoot();
		const setup = await runBin(['--root', temp.root, 'setup']);
		expect(setup.code, setup.stderr).toBe(0);
		expect(existsSync(temp.path('/var/db/repos/dist-kernel/virtual/dist-kernel/dist-kernel-6.12.8.ebuild'))).toBe(true);
		expect(readFileSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'), 'utf8')).toContain(
			'location = /var/db/repos/dist-kernel\n',
		);
		const undo = await runBin(['--root', temp.root, 'setup', '--undo']);
		expect(undo.code, undo.stderr).toBe(0);
		expect(existsSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'))).toBe(false);
		expect(existsSync(temp.path('/var/db/repos/dist-kernel'))).toBe(false);
		expect(existsSync(temp.path('/etc/dist-kernel'))).toBe(false);
	});

	it('setup refuses a non-Gentoo root with exit 1 and a clear message', async () => {
		temp = makeTempRoot('dk-cli-');
		const result = await runBin(['--root', temp.root, 'setup']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('dist-kernel: not a Gentoo system:');
	});

	it('postsync accepts an empty sync-uri and is a quiet no-op for a repository it does not scan', async () => {
		temp = gentooRoot();
		temp.write('/etc/dist-kernel/dist-kernel.conf', 'repositories = gentoo\n');
		const result = await runBin(['--root', temp.root, 'postsync', 'guru', '', '/var/db/repos/guru']);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toBe('');
	});

	it('postsync refuses bad arguments with exit 2', async () => {
		temp = gentooRoot();
		const result = await runBin(['--root', temp.root, 'postsync', 'gentoo', '', 'relative/path']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('Expected the repository location to be an absolute path');
	});

	it('clean --keep rejects a non-number as a configuration error', async () => {
		temp = gentooRoot();
		const result = await runBin(['--root', temp.root, 'clean', '--keep', 'two', '--pretend']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('keep-kernels');
	});
});
