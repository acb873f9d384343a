// `dist-kernel generate` as a process: exit codes 0/1/2, --check, --output, the source-checkout default.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

const TOP = resolve(import.meta.dirname, '..', '..');
const SAMPLE_ROOT = join(TOP, 'test', 'fixtures', 'sample-root');

const temps: TempRoot[] = [];
function sampleRoot(): TempRoot {
	const temp = makeTempRoot('dk-gencli-');
	cpSync(SAMPLE_ROOT, temp.root, { recursive: true });
	temps.push(temp);
	return temp;
}
afterEach(() => {
	for (const t of temps.splice(0)) t.cleanup();
});

describe('dist-kernel generate', () => {
	it('writes the overlay to overlay-dir under --root, then --check passes (exit 0), then fails on a hand edit (exit 1)', async () => {
		const temp = sampleRoot();
		const first = await runBin(['--root', temp.root, 'generate']);
		expect(first.stderr).toContain('wrote virtual/dist-kernel/dist-kernel-6.12.5_p1.ebuild');
		expect(first.code).toBe(0);
		const out = temp.path('/var/db/repos/dist-kernel');
		expect(readFileSync(join(out, 'profiles/repo_name'), 'utf8')).toBe('dist-kernel\n');

		const clean = await runBin(['--root', temp.root, 'generate', '--check']);
		expect(clean.stderr).toContain('overlay is up to date');
		expect(clean.code).toBe(0);

		writeFileSync(join(out, 'metadata/layout.conf'), 'masters = something-else\n');
		const dirty = await runBin(['--root', temp.root, 'generate', '--check']);
		expect(dirty.code).toBe(1);
		expect(dirty.stderr).toContain('changed: metadata/layout.conf');
		expect(readFileSync(join(out, 'metadata/layout.conf'), 'utf8')).toBe('masters = something-else\n');
	});

	it('keeps the ebuild of an installed virtual whose kernel left the repositories (as the post-sync hook does)', async () => {
		const temp = sampleRoot();
		temp.write('/var/db/pkg/virtual/dist-kernel-6.0.7-r1/SLOT', '0/6.0.7-r1\n');
		temp.write('/var/db/pkg/virtual/dist-kernel-6.0.7-r1/repository', 'dist-kernel\n');
		const result = await runBin(['--root', temp.root, 'generate']);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('kernel versions: 6.0.7 6.1.118 ');
		expect(
			readFileSync(temp.path('/var/db/repos/dist-kernel/virtual/dist-kernel/dist-kernel-6.0.7.ebuild'), 'utf8'),
		).toContain('SLOT="0/${PVR}"');
	});

	it('--dry-run writes nothing and exits 0', async () => {
		const temp = sampleRoot();
		const out = temp.path('/elsewhere');
		const result = await runBin(['--root', temp.root, '--dry-run', 'generate', '--output', out]);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('would change');
		expect(() => readFileSync(join(out, 'profiles/repo_name'))).toThrow();
	});

	it('--output and config flags override the file', async () => {
		const temp = sampleRoot();
		const out = temp.path('/elsewhere');
		const result = await runBin([
			'--root',
			temp.root,
			'generate',
			'--output',
			out,
			'--kernel-packages',
			'sys-kernel/gentoo-kernel-bin',
			'--maintainer-email',
			'me@example.org',
		]);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('kernel versions: 6.6.58 6.12.5_p1 6.12.10 ');
		expect(readFileSync(join(out, 'virtual/dist-kernel/metadata.xml'), 'utf8')).toContain(
			'<email>me@example.org</email>',
		);
	});

	it.each([
		['kernel-packages = sys-kernel/gentoo-kernel-6.1\n', 'kernel-packages'],
		['maintainer-email = not an address\n', 'maintainer-email'],
		['overlay-dir = relative/path\n', 'overlay-dir'],
		['no-such-key = 1\n', 'no-such-key'],
	])('a configuration error (%j) exits 2 naming the key', async (text, key) => {
		const temp = sampleRoot();
		temp.write('/etc/dist-kernel/dist-kernel.conf', text);
		const result = await runBin(['--root', temp.root, 'generate']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(key);
	});

	it('a --root that does not exist exits 2 and creates nothing', async () => {
		const temp = sampleRoot();
		const result = await runBin(['--root', temp.path('/nope'), 'generate']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('Expected --root to be an existing directory');
		expect(() => readFileSync(temp.path('/nope/var/db/repos/dist-kernel/profiles/repo_name'))).toThrow();
	});

	it('a missing repository exits 1 naming the path', async () => {
		const temp = sampleRoot();
		temp.write('/etc/portage/repos.conf/zz.conf', '[gone]\nlocation = /var/db/repos/gone\n');
		const result = await runBin(['--root', temp.root, 'generate']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`repository not found: ${temp.path('/var/db/repos/gone')}`);
	});

	it('a repos.conf syntax error exits 2 naming the file and line', async () => {
		const temp = sampleRoot();
		temp.write('/etc/portage/repos.conf/zz.conf', '[x]\nlocation\n');
		const result = await runBin(['--root', temp.root, 'generate']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(`invalid repos.conf: ${temp.path('/etc/portage/repos.conf/zz.conf')}:2`);
	});
});

describe('the source checkout', () => {
	it('`node generated/dist-kernel.mjs generate --check` from the top checks overlay/ against the sample tree', () => {
		const result = spawnSync(process.execPath, ['generated/dist-kernel.mjs', 'generate', '--check'], {
			cwd: TOP,
			encoding: 'utf8',
			env: { ...process.env, NO_COLOR: '1' },
		});
		expect(result.stderr).toContain(
			`source checkout: generating ${join(TOP, 'overlay')} from the sample tree ${SAMPLE_ROOT}`,
		);
		expect(result.stderr).toContain('overlay is up to date');
		expect(result.status).toBe(0);
	});

	it('the committed bundle is what a fresh build of src/ produces (run `npm run build` after editing src/)', () => {
		const result = spawnSync(process.execPath, ['esbuild.config.mjs', '--check'], { cwd: TOP, encoding: 'utf8' });
		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
	});
});
