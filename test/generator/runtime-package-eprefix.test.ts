// sys-kernel/dist-kernel-runtime honours EPREFIX (issue 11): its src_install, run in real bash under the PMS shim
// with a non-empty prefix, fixes the paths of node, the bundle and the program in the launcher, the kernel-install
// plugin and the post-sync hook; merged into that prefix (a temp dir), each of them runs what lies under it.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/cli/version';

const TOP = resolve(import.meta.dirname, '..', '..');
const PACKAGE = join(TOP, 'overlay', 'sys-kernel', 'dist-kernel-runtime');
const SHIM = join(TOP, 'test', 'shim', 'pms-shim.bash');
const INSTALLED = [
	'/usr/bin/dist-kernel',
	'/usr/lib/kernel/install.d/50-dist-kernel.install',
	'/etc/portage/repo.postsync.d/dist-kernel',
] as const;

let dir: string;
let prefix: string;

/** argv of each `node` the installed files started (a recording stand-in replaces the prefix's node). */
function recordingNode(): () => string[][] {
	const log = join(dir, 'node-calls.log');
	rmSync(join(prefix, 'usr', 'bin', 'node'), { force: true });
	writeFileSync(
		join(prefix, 'usr', 'bin', 'node'),
		`#!/bin/bash\n{ printf '%s\\x1f' "$@"; printf '\\n'; } >> '${log}'\n`,
	);
	chmodSync(join(prefix, 'usr', 'bin', 'node'), 0o755);
	return () =>
		readFileSync(log, 'utf8')
			.split('\n')
			.filter(Boolean)
			.map((line) => line.split('\x1f').slice(0, -1));
}

/** Runs an installed file with a PATH that has no dist-kernel and no node of the prefix. */
function run(path: string, args: string[]) {
	return spawnSync(join(prefix, path), args, {
		encoding: 'utf8',
		env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
	});
}

beforeAll(() => {
	dir = mkdtempSync(join(process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir(), 'dk-eprefix-'));
	prefix = join(dir, 'gentoo-prefix');
	const ebuild = join(PACKAGE, `dist-kernel-runtime-${VERSION}.ebuild`);
	const script = [
		`source '${SHIM}'`,
		`EAPI=8 CATEGORY=sys-kernel PN=dist-kernel-runtime PV=${VERSION} PF=dist-kernel-runtime-${VERSION} SLOT=0`,
		`FILESDIR='${join(PACKAGE, 'files')}'`,
		`source '${ebuild}'`,
		'src_install',
	].join('\n');
	const install = spawnSync('bash', ['-c', script], {
		encoding: 'utf8',
		env: {
			PATH: process.env['PATH'],
			LC_ALL: 'C',
			T: join(dir, 'T'),
			D: join(dir, 'image'),
			EPREFIX: prefix,
			ROOT: '',
			SHIM_ECLASSDIRS: '',
		},
	});
	if (install.status !== 0) throw new Error(`src_install failed: ${install.stderr}`);
	// what Portage's merge does with ${D}: the image's ${EPREFIX} part lands at ${EPREFIX}
	cpSync(join(dir, 'image', prefix), prefix, { recursive: true, verbatimSymlinks: true });
});

afterAll(() => {
	rmSync(dir, { recursive: true, force: true });
});

describe('sys-kernel/dist-kernel-runtime installed with EPREFIX', () => {
	it('the launcher, the plugin and the hook name the prefixed node, bundle and program; no placeholder is left', () => {
		const text = (path: string) => readFileSync(join(prefix, path), 'utf8');
		expect(text('/usr/bin/dist-kernel')).toContain(
			`exec "${prefix}/usr/bin/node" "${prefix}/usr/lib/dist-kernel/dist-kernel.mjs" "$@"`,
		);
		expect(text('/usr/lib/kernel/install.d/50-dist-kernel.install')).toContain(
			`exec "\${DIST_KERNEL_RUNTIME:-${prefix}/usr/bin/dist-kernel}"`,
		);
		expect(text('/etc/portage/repo.postsync.d/dist-kernel')).toContain(`default_runtime=${prefix}/usr/bin/dist-kernel`);
		for (const path of INSTALLED) {
			expect(text(path)).not.toContain('@EPREFIX@');
			const lint = spawnSync('shellcheck', ['-s', 'bash', '-f', 'gcc', join(prefix, path)], { encoding: 'utf8' });
			expect(lint.stdout + lint.stderr, path).toBe('');
		}
		expect(
			readFileSync(join(prefix, 'usr', 'lib', 'dist-kernel', 'dist-kernel.mjs')).equals(
				readFileSync(join(PACKAGE, 'files', 'dist-kernel.mjs')),
			),
		).toBe(true);
	});

	it("the launcher runs the prefix's bundle with the prefix's node", () => {
		rmSync(join(prefix, 'usr', 'bin', 'node'), { force: true });
		symlinkSync(process.execPath, join(prefix, 'usr', 'bin', 'node'));
		const version = run('/usr/bin/dist-kernel', ['--version']);
		expect(version.stderr).toBe('');
		expect(version.stdout.trim()).toBe(VERSION);
		const help = run('/usr/bin/dist-kernel', ['--help']);
		expect(help.status).toBe(0);
		expect(help.stdout).toContain('postsync');
	});

	it("the kernel-install plugin and the post-sync hook run the prefix's launcher (found without PATH)", () => {
		const calls = recordingNode();
		const bundle = `${prefix}/usr/lib/dist-kernel/dist-kernel.mjs`;
		expect(
			run('/usr/lib/kernel/install.d/50-dist-kernel.install', [
				'add',
				'6.6.30-gentoo-dist',
				'/boot/x/6.6.30-gentoo-dist',
				'/boot/vmlinuz',
			]).status,
		).toBe(0);
		const hook = run('/etc/portage/repo.postsync.d/dist-kernel', ['gentoo', '', '/var/db/repos/gentoo']);
		expect(hook.stderr).toBe('');
		expect(hook.status).toBe(0);
		expect(calls()).toEqual([
			[bundle, 'plugin', 'dist-kernel', 'add', '6.6.30-gentoo-dist', '/boot/x/6.6.30-gentoo-dist', '/boot/vmlinuz'],
			[bundle, 'postsync', 'gentoo', '', '/var/db/repos/gentoo'],
		]);
	});
});
