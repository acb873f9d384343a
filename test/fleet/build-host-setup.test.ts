// `dist-kernel setup --build-host`: Portage per-package env hooks that make kernel binary packages carry a generic
// image. The hook is real bash: shellcheck-clean, and sourced the way ebuild.sh sources env files, it calls
// `dist-kernel generic-image --destdir "${ED}"` and dies when that fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { renderBuildHostHook } from '../../src/runtime/features/setup/build-host-hooks';
import { type LifecycleContext, runSetup } from '../../src/runtime/features/setup/run-setup';
import { undoSetup } from '../../src/runtime/features/setup/undo-setup';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

let temp: TempRoot;
afterEach(() => temp?.cleanup());

function gentooRoot(): TempRoot {
	const t = makeTempRoot('dk-buildhost-');
	t.write('/etc/gentoo-release', 'Gentoo Base System release 2.17\n');
	t.write('/etc/portage/make.conf', 'FEATURES="buildpkg"\n');
	t.write('/etc/portage/repos.conf/gentoo.conf', '[gentoo]\nlocation = /var/db/repos/gentoo\n');
	t.write(
		'/etc/dist-kernel/dist-kernel.conf',
		'kernel-packages = sys-kernel/gentoo-kernel sys-kernel/gentoo-kernel-bin\ngeneric-image = uki\n',
	);
	return t;
}

function context(t: TempRoot): LifecycleContext & { logger: ReturnType<typeof createMemoryLogger> } {
	const logger = createMemoryLogger();
	return { root: t.root, dryRun: false, logger, exec: createExec({ logger }) };
}

const options = (t: TempRoot, buildHost?: boolean) => ({
	buildHost,
	reposConf: () => [
		{
			path: t.path('/etc/portage/repos.conf/gentoo.conf'),
			text: readFileSync(t.path('/etc/portage/repos.conf/gentoo.conf'), 'utf8'),
		},
	],
	generate: async () => {
		t.write('/var/db/repos/dist-kernel/profiles/repo_name', 'dist-kernel\n');
	},
});

describe('setup --build-host', () => {
	it('writes one env hook per kernel package, keeps the choice on re-runs, removes it with --no-build-host', async () => {
		temp = gentooRoot();
		const report = await runSetup(context(temp), options(temp, true));
		expect(report.buildHost).toBe(true);
		for (const pkg of ['sys-kernel/gentoo-kernel', 'sys-kernel/gentoo-kernel-bin']) {
			expect(readFileSync(temp.path(`/etc/portage/env/${pkg}`), 'utf8')).toBe(renderBuildHostHook(pkg));
		}
		const again = await runSetup(context(temp), options(temp));
		expect(again.buildHost).toBe(true);
		expect(again.writes.filter((w) => w.path.includes('/etc/portage/env/')).map((w) => w.action)).toEqual([
			'unchanged',
			'unchanged',
		]);
		// An admin's edit is never lost.
		writeFileSync(temp.path('/etc/portage/env/sys-kernel/gentoo-kernel'), '# mine\n');
		const off = await runSetup(context(temp), options(temp, false));
		expect(off.buildHost).toBe(false);
		expect(existsSync(temp.path('/etc/portage/env/sys-kernel/gentoo-kernel-bin'))).toBe(false);
		expect(readFileSync(temp.path('/etc/portage/env/sys-kernel/gentoo-kernel'), 'utf8')).toBe('# mine\n');
	});

	it('setup --undo removes the hooks with the rest', async () => {
		temp = gentooRoot();
		await runSetup(context(temp), options(temp, true));
		undoSetup(context(temp));
		expect(existsSync(temp.path('/etc/portage/env/sys-kernel/gentoo-kernel-bin'))).toBe(false);
		expect(existsSync(temp.path('/etc/portage/env'))).toBe(false);
	});

	it('the hook is shellcheck-clean and, sourced as ebuild.sh does, runs generic-image on ${ED} or dies', () => {
		temp = makeTempRoot('dk-hook-');
		const hook = temp.write('/hook', renderBuildHostHook('sys-kernel/gentoo-kernel-bin'));
		execFileSync('shellcheck', ['--shell=bash', '--severity=style', '--exclude=SC2154', hook]);
		const bin = temp.path('/bin');
		const log = temp.path('/calls');
		temp.write(
			'/bin/dist-kernel',
			`#!/bin/bash\nprintf '%s\\n' "$@" > ${JSON.stringify(log)}\nexit "\${FAKE_RC:-0}"\n`,
			0o755,
		);
		chmodSync(join(bin, 'dist-kernel'), 0o755);
		const script = `die() { echo "died: $*"; exit 9; }\newarn() { echo "warn: $*"; }\nED=/var/tmp/portage/x/image\nsource ${JSON.stringify(hook)}\npost_src_install\necho ok\n`;
		const env = { PATH: `${bin}:/usr/bin:/bin` };
		const good = spawnSync('bash', ['-c', script], { env, encoding: 'utf8' });
		expect(good.stdout).toBe('ok\n');
		expect(readFileSync(log, 'utf8')).toBe('generic-image\n--destdir\n/var/tmp/portage/x/image\n');
		const bad = spawnSync('bash', ['-c', script], { env: { ...env, FAKE_RC: '1' }, encoding: 'utf8' });
		expect(bad.status).toBe(9);
		expect(bad.stdout).toContain('died: dist-kernel generic-image failed');
		const missing = spawnSync('bash', ['-c', script], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
		expect(missing.stdout).toContain('warn: dist-kernel is not installed');
		expect(missing.stdout).toContain('ok');
	});
});
