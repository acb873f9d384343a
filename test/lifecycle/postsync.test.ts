// The post-sync path: fast no-op when the synced repository's kernel ebuilds did not change, regeneration (with
// installed virtuals kept) when they did, and a hook script that never fails `emaint sync`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import { renderTemplate } from '../../src/generator/render';
import { STATIC_TEMPLATES } from '../../src/generator/template-registry';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import type { RuntimeContext } from '../../src/runtime/context';
import { parsePostsyncArgs, runPostsync } from '../../src/runtime/features/postsync/run-postsync';
import type { InstalledVirtual } from '../../src/runtime/portage/vdb/installed-virtuals';
import { installedVirtuals } from '../../src/runtime/portage/vdb/installed-virtuals';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { writeVirtual } from '../modules/vdb-builder';

const GENTOO = '/var/db/repos/gentoo';

function context(temp: TempRoot, config: Record<string, unknown> = {}, dryRun = false) {
	const logger = createMemoryLogger();
	const ctx: RuntimeContext = {
		root: temp.root,
		dryRun,
		verbose: false,
		logger,
		exec: createExec({ logger, dryRun }),
		env: {},
		config: configSchema.parse(config),
	};
	return Object.assign(ctx, { logger });
}

function addEbuild(temp: TempRoot, pkg: string, pv: string): void {
	temp.write(`${GENTOO}/${pkg}/${pkg.split('/')[1]}-${pv}.ebuild`, 'EAPI=8\n');
}

/** Stands in for the generator: one virtual per kernel version in ::gentoo plus the kept ones. */
function recordingGenerator(temp: TempRoot) {
	const calls: InstalledVirtual[][] = [];
	return {
		calls,
		regenerate: async (keep: InstalledVirtual[]) => {
			calls.push(keep);
			const dir = temp.path('/var/db/repos/dist-kernel/virtual/dist-kernel');
			rmSync(dir, { recursive: true, force: true });
			const versions = new Set(keep.map((k) => k.pv));
			for (const pkg of ['gentoo-kernel', 'gentoo-kernel-bin']) {
				try {
					for (const name of execFileSync('ls', [temp.path(`${GENTOO}/sys-kernel/${pkg}`)], { encoding: 'utf8' }).split(
						'\n',
					)) {
						const match = new RegExp(`^${pkg}-(.+)\\.ebuild$`).exec(name);
						if (match) versions.add(match[1]!);
					}
				} catch {
					// Package absent from the repository.
				}
			}
			for (const v of versions)
				temp.write(`/var/db/repos/dist-kernel/virtual/dist-kernel/dist-kernel-${v}.ebuild`, 'EAPI=8\n');
		},
	};
}

const args = parsePostsyncArgs('gentoo', 'rsync://rsync.gentoo.org/gentoo-portage', GENTOO);

describe('dist-kernel postsync', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	it('regenerates on the first sync, then does nothing while kernel ebuilds stay the same', async () => {
		temp = makeTempRoot('dk-postsync-');
		addEbuild(temp, 'sys-kernel/gentoo-kernel', '6.12.8');
		temp.write(`${GENTOO}/app-misc/foo/foo-1.ebuild`, 'EAPI=8\n');
		const gen = recordingGenerator(temp);
		const first = await runPostsync(context(temp), args, gen.regenerate);
		expect(first).toEqual({ action: 'regenerated', added: ['6.12.8'], removed: [] });
		// Other packages changing is not a reason to regenerate.
		temp.write(`${GENTOO}/app-misc/foo/foo-2.ebuild`, 'EAPI=8\n');
		const second = await runPostsync(context(temp), args, gen.regenerate);
		expect(second).toEqual({ action: 'unchanged' });
		expect(gen.calls).toHaveLength(1);
	});

	it('adds a virtual when a kernel version appears and logs it for the admin', async () => {
		temp = makeTempRoot('dk-postsync-');
		addEbuild(temp, 'sys-kernel/gentoo-kernel', '6.12.8');
		const gen = recordingGenerator(temp);
		await runPostsync(context(temp), args, gen.regenerate);
		addEbuild(temp, 'sys-kernel/gentoo-kernel-bin', '6.12.9');
		const ctx = context(temp);
		expect(await runPostsync(ctx, args, gen.regenerate)).toEqual({
			action: 'regenerated',
			added: ['6.12.9'],
			removed: [],
		});
		expect(ctx.logger.lines).toContain(' * added virtual/dist-kernel-6.12.9 (after syncing ::gentoo)');
	});

	it('removes a vanished version, but keeps one whose virtual is installed', async () => {
		temp = makeTempRoot('dk-postsync-');
		for (const v of ['6.12.7', '6.12.8', '6.12.9']) addEbuild(temp, 'sys-kernel/gentoo-kernel', v);
		writeVirtual(temp.root, '6.12.7-r1');
		const gen = recordingGenerator(temp);
		await runPostsync(context(temp), args, gen.regenerate);
		rmSync(temp.path(`${GENTOO}/sys-kernel/gentoo-kernel/gentoo-kernel-6.12.7.ebuild`));
		rmSync(temp.path(`${GENTOO}/sys-kernel/gentoo-kernel/gentoo-kernel-6.12.8.ebuild`));
		const ctx = context(temp);
		expect(await runPostsync(ctx, args, gen.regenerate)).toEqual({
			action: 'regenerated',
			added: [],
			removed: ['6.12.8'],
		});
		expect(gen.calls.at(-1)).toEqual([{ pv: '6.12.7', pvr: '6.12.7-r1', repository: 'gentoo' }]);
	});

	it('regenerates when an installed virtual goes away, so its ebuild can go too', async () => {
		temp = makeTempRoot('dk-postsync-');
		addEbuild(temp, 'sys-kernel/gentoo-kernel', '6.12.9');
		writeVirtual(temp.root, '6.12.7');
		const gen = recordingGenerator(temp);
		await runPostsync(context(temp), args, gen.regenerate);
		rmSync(temp.path('/var/db/pkg/virtual'), { recursive: true });
		expect(await runPostsync(context(temp), args, gen.regenerate)).toEqual({
			action: 'regenerated',
			added: [],
			removed: ['6.12.7'],
		});
	});

	it('regenerates when the overlay lost the virtual of an installed version (e.g. a manual generate)', async () => {
		temp = makeTempRoot('dk-postsync-');
		addEbuild(temp, 'sys-kernel/gentoo-kernel', '6.12.9');
		writeVirtual(temp.root, '6.12.7');
		const gen = recordingGenerator(temp);
		await runPostsync(context(temp), args, gen.regenerate);
		rmSync(temp.path('/var/db/repos/dist-kernel/virtual/dist-kernel/dist-kernel-6.12.7.ebuild'));
		expect(await runPostsync(context(temp), args, gen.regenerate)).toEqual({
			action: 'regenerated',
			added: ['6.12.7'],
			removed: [],
		});
	});

	it('skips its own overlay and repositories that are not scanned', async () => {
		temp = makeTempRoot('dk-postsync-');
		const gen = recordingGenerator(temp);
		expect(
			await runPostsync(
				context(temp),
				parsePostsyncArgs('dist-kernel', '', '/var/db/repos/dist-kernel'),
				gen.regenerate,
			),
		).toMatchObject({ action: 'skipped' });
		expect(
			await runPostsync(
				context(temp, { repositories: ['gentoo'] }),
				parsePostsyncArgs('guru', 'https://x', '/var/db/repos/guru'),
				gen.regenerate,
			),
		).toMatchObject({
			action: 'skipped',
			reason: expect.stringContaining('not among the scanned repositories'),
		});
		expect(gen.calls).toHaveLength(0);
	});

	it('changes nothing in a dry run', async () => {
		temp = makeTempRoot('dk-postsync-');
		addEbuild(temp, 'sys-kernel/gentoo-kernel', '6.12.8');
		const gen = recordingGenerator(temp);
		const ctx = context(temp, {}, true);
		expect((await runPostsync(ctx, args, gen.regenerate)).action).toBe('regenerated');
		expect(gen.calls).toHaveLength(0);
		expect(ctx.logger.lines.join('\n')).toContain('(dry run) would regenerate');
	});

	it('refuses a hostile repository name', () => {
		expect(() => parsePostsyncArgs('../x', '', '/x')).toThrow(/Expected the repository name/);
		expect(() => parsePostsyncArgs('gentoo', '', 'relative')).toThrow(/absolute path/);
	});

	it('lists installed virtuals oldest first', () => {
		temp = makeTempRoot('dk-postsync-');
		writeVirtual(temp.root, '6.12.10');
		writeVirtual(temp.root, '6.12.9-r2');
		expect(installedVirtuals(temp.root).map((v) => v.pvr)).toEqual(['6.12.9-r2', '6.12.10']);
	});
});

describe('the repo.postsync.d hook', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());
	const template = STATIC_TEMPLATES.find((t) => t.role === 'postsync-hook')!;
	const hookText = renderTemplate(template, {
		runtime: { package: 'sys-kernel/dist-kernel-runtime', bin: 'dist-kernel', version: '0.1.0' },
	});

	function setup(runtimeBody: string) {
		temp = makeTempRoot('dk-hook-');
		const hook = temp.write('/etc/portage/repo.postsync.d/dist-kernel', hookText, 0o755);
		const runtime = temp.write('/bin/fake-runtime', `#!/usr/bin/env bash\n${runtimeBody}\n`, 0o755);
		chmodSync(hook, 0o755);
		return { hook, runtime, argsFile: join(temp.root, 'args') };
	}

	it('is shellcheck-clean', () => {
		const result = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: hookText, encoding: 'utf8' });
		expect(result.stdout + result.stderr).toBe('');
		expect(result.status).toBe(0);
	});

	it("passes Portage's three arguments to `dist-kernel postsync`", () => {
		const { hook, runtime, argsFile } = setup(`printf '%s\\n' "$@" > "${'$'}{ARGS_FILE}"`);
		const result = spawnSync(hook, ['gentoo', '', '/var/db/repos/gentoo'], {
			env: { ...process.env, DIST_KERNEL_RUNTIME: runtime, ARGS_FILE: argsFile },
			encoding: 'utf8',
		});
		expect(result.status).toBe(0);
		expect(execFileSync('cat', [argsFile], { encoding: 'utf8' })).toBe('postsync\ngentoo\n\n/var/db/repos/gentoo\n');
	});

	it('exits 0 with a warning when the runtime fails or is missing, so `emaint sync` does not fail', () => {
		const { hook, runtime } = setup('echo boom >&2; exit 1');
		const failed = spawnSync(hook, ['gentoo', 'rsync://x', '/var/db/repos/gentoo'], {
			env: { ...process.env, DIST_KERNEL_RUNTIME: runtime },
			encoding: 'utf8',
		});
		expect(failed.status).toBe(0);
		expect(failed.stderr).toContain('boom');
		expect(failed.stderr).toContain(
			'WARNING: dist-kernel: the overlay was not regenerated after syncing gentoo (exit status 1)',
		);
		const missing = spawnSync(hook, ['gentoo', 'rsync://x', '/var/db/repos/gentoo'], {
			env: { ...process.env, DIST_KERNEL_RUNTIME: join(temp.root, 'nowhere') },
			encoding: 'utf8',
		});
		expect(missing.status).toBe(0);
		expect(missing.stderr).toContain('exit status 127');
		const noArgs = spawnSync(hook, [], { env: { ...process.env, DIST_KERNEL_RUNTIME: runtime }, encoding: 'utf8' });
		expect(noArgs.status).toBe(0);
		expect(noArgs.stderr).toContain('expected 3 arguments');
	});
});
