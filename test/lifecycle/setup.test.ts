// `setup` / `setup --undo` on temp Gentoo-like roots: what is written, what is never clobbered, what undo removes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema';
import { DEFAULT_REPOS_CONF, listConfigFiles, USER_REPOS_CONF } from '../../src/generator/read-repos-conf';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { type LifecycleContext, runSetup } from '../../src/runtime/features/setup/run-setup';
import { undoSetup } from '../../src/runtime/features/setup/undo-setup';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

function gentooRoot(): TempRoot {
	const temp = makeTempRoot('dk-setup-');
	temp.write('/etc/gentoo-release', 'Gentoo Base System release 2.17\n');
	temp.write('/etc/portage/make.conf', 'USE="dist-kernel"\n');
	temp.write(
		'/etc/portage/repos.conf/gentoo.conf',
		'[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\nsync-type = rsync\n',
	);
	return temp;
}

function context(temp: TempRoot, dryRun = false): LifecycleContext & { logger: ReturnType<typeof createMemoryLogger> } {
	const logger = createMemoryLogger();
	return { root: temp.root, dryRun, logger, exec: createExec({ logger, dryRun }) };
}

/** repos.conf files as Portage reads them, through the generator's reader (what the CLI passes). */
function reposConf(temp: TempRoot) {
	return () =>
		[...listConfigFiles(temp.path(DEFAULT_REPOS_CONF)), ...listConfigFiles(temp.path(USER_REPOS_CONF))].map((path) => ({
			path,
			text: readFileSync(path, 'utf8'),
		}));
}

/** Stands in for the generator: records the call and writes what an overlay minimally has. */
function recordingGenerator(temp: TempRoot) {
	const calls: Config[] = [];
	return {
		calls,
		reposConf: reposConf(temp),
		generate: async (config: Config) => {
			calls.push(config);
			temp.write(join(config.overlayDir, 'profiles/repo_name'), 'dist-kernel\n');
		},
	};
}

function tree(dir: string): string[] {
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((e) => e.isFile())
		.map((e) => join(e.parentPath, e.name).slice(dir.length))
		.sort();
}

describe('dist-kernel setup', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	it('writes repos.conf, the configuration and the overlay, and prints the next commands', async () => {
		temp = gentooRoot();
		const ctx = context(temp);
		const gen = recordingGenerator(temp);
		const report = await runSetup(ctx, gen);
		expect(readFileSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'), 'utf8')).toContain(
			'[dist-kernel]\nlocation = /var/db/repos/dist-kernel\npriority = 100\nauto-sync = no\n',
		);
		expect(readFileSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'), 'utf8')).not.toContain(
			'eclass-overrides',
		);
		expect(readFileSync(temp.path('/etc/dist-kernel/dist-kernel.conf'), 'utf8')).toContain('#keep-kernels = 2');
		expect(gen.calls).toHaveLength(1);
		expect(gen.calls[0]!.overlayDir).toBe('/var/db/repos/dist-kernel');
		expect(report.nextCommands[0]).toBe('emerge --ask sys-kernel/dist-kernel-runtime');
		expect(ctx.logger.lines.join('\n')).toContain('emerge --ask --update --deep --newuse @world');
	});

	it('is idempotent: a second run changes nothing', async () => {
		temp = gentooRoot();
		await runSetup(context(temp), recordingGenerator(temp));
		const before = tree(temp.root).map((f) => [f, readFileSync(join(temp.root, f), 'utf8')]);
		const report = await runSetup(context(temp), recordingGenerator(temp));
		expect(report.writes.map((w) => w.action)).toEqual(['unchanged', 'unchanged']);
		expect(tree(temp.root).map((f) => [f, readFileSync(join(temp.root, f), 'utf8')])).toEqual(before);
	});

	it('adds the eclass-overrides section on request and keeps that choice on later runs', async () => {
		temp = gentooRoot();
		await runSetup(context(temp), recordingGenerator(temp));
		const withOverrides = await runSetup(context(temp), { ...recordingGenerator(temp), eclassOverrides: true });
		expect(withOverrides.writes.find((w) => w.path.endsWith('repos.conf/dist-kernel.conf'))?.action).toBe('updated');
		const file = temp.path('/etc/portage/repos.conf/dist-kernel.conf');
		expect(readFileSync(file, 'utf8')).toMatch(/\[gentoo\]\neclass-overrides = dist-kernel\n$/);
		expect(readFileSync(temp.path('/etc/portage/repos.conf/gentoo.conf'), 'utf8')).not.toContain('eclass-overrides');
		const again = await runSetup(context(temp), recordingGenerator(temp));
		expect(again.eclassOverrides).toBe(true);
		expect(again.writes.map((w) => w.action)).toEqual(['unchanged', 'unchanged']);
		await runSetup(context(temp), { ...recordingGenerator(temp), eclassOverrides: false });
		expect(readFileSync(file, 'utf8')).not.toContain('eclass-overrides');
	});

	it("keeps the admin's own eclass-overrides in our line, and follows main-repo", async () => {
		temp = gentooRoot();
		temp.write(
			'/usr/share/portage/config/repos.conf',
			'[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\n',
		);
		temp.write(
			'/etc/portage/repos.conf/gentoo.conf',
			'[DEFAULT]\nmain-repo = mygentoo\n\n[mygentoo]\nlocation = /var/db/repos/mygentoo\neclass-overrides = java-overlay\n',
		);
		await runSetup(context(temp), { ...recordingGenerator(temp), eclassOverrides: true });
		expect(readFileSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'), 'utf8')).toMatch(
			/\[mygentoo\]\neclass-overrides = java-overlay dist-kernel\n$/,
		);
		// Re-running gives the same line (our own file is not read back as the admin's setting).
		const again = await runSetup(context(temp), recordingGenerator(temp));
		expect(again.writes.map((w) => w.action)).toEqual(['unchanged', 'unchanged']);
	});

	it('warns when a file read after ours sets eclass-overrides for the same repository', async () => {
		temp = gentooRoot();
		temp.write('/etc/portage/repos.conf/zz-local.conf', '[gentoo]\neclass-overrides = local\n');
		const ctx = context(temp);
		await runSetup(ctx, { ...recordingGenerator(temp), eclassOverrides: true });
		expect(readFileSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'), 'utf8')).toContain(
			'eclass-overrides = local dist-kernel\n',
		);
		expect(ctx.logger.lines.join('\n')).toContain(
			'/etc/portage/repos.conf/zz-local.conf sets eclass-overrides for ::gentoo and is read after',
		);
	});

	it("never clobbers the admin's edits: proposes ._cfg0000_ with a diff, once", async () => {
		temp = gentooRoot();
		await runSetup(context(temp), recordingGenerator(temp));
		const file = temp.path('/etc/portage/repos.conf/dist-kernel.conf');
		const edited = readFileSync(file, 'utf8').replace('priority = 100', 'priority = 5');
		writeFileSync(file, edited);
		const ctx = context(temp);
		const report = await runSetup(ctx, { ...recordingGenerator(temp), eclassOverrides: true });
		expect(readFileSync(file, 'utf8')).toBe(edited);
		const proposal = temp.path('/etc/portage/repos.conf/._cfg0000_dist-kernel.conf');
		expect(readFileSync(proposal, 'utf8')).toContain('eclass-overrides = dist-kernel');
		const output = ctx.logger.lines.join('\n');
		expect(output).toContain('was changed by hand');
		expect(output).toContain('--- /etc/portage/repos.conf/dist-kernel.conf\n');
		expect(output).toContain('once you merge the proposal above, eclass-overrides = dist-kernel applies to ::gentoo');
		expect(output).toContain('-priority = 5');
		expect(output).toContain('+priority = 100');
		expect(report.writes.find((w) => w.action === 'protected')?.protectedPath).toBe(proposal);
		await runSetup(context(temp), { ...recordingGenerator(temp), eclassOverrides: true });
		expect(readdirSync(temp.path('/etc/portage/repos.conf')).sort()).toEqual([
			'._cfg0000_dist-kernel.conf',
			'dist-kernel.conf',
			'gentoo.conf',
		]);
	});

	it("keeps an admin's existing configuration file as it is", async () => {
		temp = gentooRoot();
		temp.write('/etc/dist-kernel/dist-kernel.conf', 'overlay-dir = /var/db/repos/my-kernels\n');
		const gen = recordingGenerator(temp);
		await runSetup(context(temp), gen);
		expect(readFileSync(temp.path('/etc/dist-kernel/dist-kernel.conf'), 'utf8')).toBe(
			'overlay-dir = /var/db/repos/my-kernels\n',
		);
		expect(gen.calls[0]!.overlayDir).toBe('/var/db/repos/my-kernels');
		expect(readFileSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'), 'utf8')).toContain(
			'location = /var/db/repos/my-kernels\n',
		);
	});

	it('refuses a root that is not Gentoo', async () => {
		temp = makeTempRoot('dk-setup-');
		temp.write('/etc/debian_version', '12.8\n');
		const gen = recordingGenerator(temp);
		await expect(runSetup(context(temp), gen)).rejects.toMatchObject({
			code: 'setup.not-gentoo',
			message: expect.stringContaining('not a Gentoo system'),
		});
		expect(gen.calls).toHaveLength(0);
		expect(existsSync(temp.path('/etc/portage'))).toBe(false);
	});

	it('refuses a repos.conf that is a single file, naming what to do', async () => {
		temp = makeTempRoot('dk-setup-');
		temp.write('/etc/gentoo-release', 'Gentoo\n');
		temp.write('/etc/portage/repos.conf', '[gentoo]\nlocation = /var/db/repos/gentoo\n');
		await expect(runSetup(context(temp), recordingGenerator(temp))).rejects.toMatchObject({
			code: 'setup.repos-conf-file',
		});
	});

	it('--dry-run writes nothing and does not generate', async () => {
		temp = gentooRoot();
		const before = tree(temp.root);
		const gen = recordingGenerator(temp);
		const ctx = context(temp, true);
		await runSetup(ctx, gen);
		expect(tree(temp.root)).toEqual(before);
		expect(gen.calls).toHaveLength(0);
		expect(ctx.logger.lines.join('\n')).toContain(
			'(dry run) would have created /etc/portage/repos.conf/dist-kernel.conf',
		);
	});
});

describe('dist-kernel setup --undo', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());

	it('removes exactly what setup added', async () => {
		temp = gentooRoot();
		const before = tree(temp.root);
		await runSetup(context(temp), { ...recordingGenerator(temp), eclassOverrides: true });
		const report = undoSetup(context(temp));
		expect(report.kept).toEqual([]);
		expect(tree(temp.root)).toEqual(before);
		expect(existsSync(temp.path('/etc/dist-kernel'))).toBe(false);
		expect(existsSync(temp.path('/var/db/repos/dist-kernel'))).toBe(false);
		expect(existsSync(temp.path('/etc/portage/repos.conf'))).toBe(true);
	});

	it('leaves files edited since setup, and directories that are not empty', async () => {
		temp = gentooRoot();
		await runSetup(context(temp), recordingGenerator(temp));
		writeFileSync(temp.path('/etc/dist-kernel/dist-kernel.conf'), 'keep-kernels = 3\n');
		const ctx = context(temp);
		const report = undoSetup(ctx);
		expect(report.kept).toEqual(['/etc/dist-kernel/dist-kernel.conf', '/etc/dist-kernel']);
		expect(readFileSync(temp.path('/etc/dist-kernel/dist-kernel.conf'), 'utf8')).toBe('keep-kernels = 3\n');
		expect(existsSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'))).toBe(false);
		expect(ctx.logger.lines.join('\n')).toContain('was changed since setup wrote it');
	});

	it('can undo a setup whose overlay generation failed', async () => {
		temp = gentooRoot();
		const failing = {
			reposConf: recordingGenerator(temp).reposConf,
			generate: async () => Promise.reject(new Error('no repositories')),
		};
		await expect(runSetup(context(temp), failing)).rejects.toThrow('no repositories');
		undoSetup(context(temp));
		expect(existsSync(temp.path('/etc/portage/repos.conf/dist-kernel.conf'))).toBe(false);
		expect(existsSync(temp.path('/etc/dist-kernel'))).toBe(false);
		expect(existsSync(temp.path('/var/db/repos/dist-kernel'))).toBe(false);
	});

	it('says there is nothing to undo without a record', () => {
		temp = gentooRoot();
		expect(() => undoSetup(context(temp))).toThrow(/nothing to undo/);
	});
});
