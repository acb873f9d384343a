// The fault suite: builds the roots it needs, runs every fault class and returns one row per class and subject.
// `full` is what `npm run faults` runs by default; `ci` runs the same classes with smaller counts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianKernel } from '../../test/helpers/debian-kernel';
import { programBundle } from '../lib/bundle';
import { addKernelInstall, cloneRoot, FAULT_RUNTIME, populateFaultRoot, putFile } from '../lib/fault-root';
import { type BootFs, canMount, unmountAll } from '../lib/mounts';
import { outputTail, runDistKernel } from '../lib/run-dist-kernel';
import { concurrentRuns } from './concurrency';
import type { FaultRow, Progress } from './fault-result';
import { fuzzParsers } from './fuzz-parsers';
import { hostileInputs } from './hostile-inputs';
import { killAtCheckpoints } from './kill-points';
import { noSpace } from './no-space';
import { plantedSymlinks } from './planted-symlinks';

export type FaultMode = 'full' | 'ci';

export interface SuiteSettings {
	fuzzCount: number;
	/** Checkpoints per kill scenario (undefined: every one). */
	killPoints: number | undefined;
	killScenarios: ('upgrade' | 'reinstall' | 'kernel-install' | 'uki-layout' | 'efistub-layout')[];
	dracutDelaysMs: number[];
	noSpaceFs: BootFs[];
	noSpaceLevels: number[];
	concurrent: number;
	/** Every n-th hostile command line (1: all). */
	hostileEvery: number;
}

export const SETTINGS: Record<FaultMode, SuiteSettings> = {
	full: {
		fuzzCount: 10_000,
		killPoints: undefined,
		killScenarios: ['upgrade', 'reinstall', 'kernel-install', 'uki-layout', 'efistub-layout'],
		dracutDelaysMs: [250, 600, 1200],
		noSpaceFs: ['tmpfs', 'ext2', 'vfat'],
		noSpaceLevels: [0, 0.01, 0.25, 0.5, 0.75, 0.99, 3],
		concurrent: 8,
		hostileEvery: 1,
	},
	ci: {
		fuzzCount: 1_500,
		killPoints: 4,
		killScenarios: ['upgrade'],
		dracutDelaysMs: [600],
		noSpaceFs: ['tmpfs'],
		noSpaceLevels: [0.5, 3],
		concurrent: 4,
		hostileEvery: 3,
	},
};

export function modeFrom(argv: readonly string[], env: NodeJS.ProcessEnv): FaultMode {
	if (argv.includes('--full')) return 'full';
	if (argv.includes('--ci') || env['DIST_KERNEL_FAULTS'] === 'ci' || env['CI'] === 'true') return 'ci';
	return 'full';
}

/** The next kernel version after `kv` (6.1.0-56-amd64 → 6.1.1-56-amd64): the same Debian kernel under a new name. */
export function nextKernelVersion(kv: string): string {
	return kv.replace(/^(\d+\.\d+\.)(\d+)/, (_m, head: string, patch: string) => `${head}${Number(patch) + 1}`);
}

export interface SuiteResult {
	mode: FaultMode;
	rows: FaultRow[];
	seconds: number;
}

/** Installs `kv` into `root` by a clean run: the "previous complete set". Returns why it failed, or ''. */
async function installedTemplate(
	bin: string,
	root: string,
	kv: string,
	progress: Progress,
	env?: NodeJS.ProcessEnv,
): Promise<string> {
	const result = await runDistKernel({ bin, root, args: ['install', kv], env });
	if (result.code !== 0) return `install ${kv} failed (exit ${result.code}): ${outputTail(result, 3)}`;
	progress(`template: ${kv} installed in ${(result.ms / 1000).toFixed(1)} s`);
	return '';
}

/** A different kernel image under the same version (a -r1 rebuild) and a changed dracut setting: every boot file changes. */
function makeReinstallTemplate(from: string, to: string, kv: string): void {
	cloneRoot(from, to);
	for (const image of [
		join(to, 'lib', 'modules', kv, 'vmlinuz'),
		join(to, 'usr', 'src', `linux-${kv}`, 'arch', 'x86', 'boot', 'bzImage'),
	]) {
		if (!existsSync(image)) continue;
		const data = Buffer.concat([readFileSync(image), Buffer.from('\0dist-kernel fault suite: rebuilt image\0')]);
		rmSync(image);
		writeFileSync(image, data);
	}
	putFile(to, '/etc/dracut.conf.d/20-rebuild.conf', 'kernel_cmdline="dk.rebuild=1"\n');
}

export const FAULT_CLASSES = ['fuzz', 'hostile', 'sigkill', 'enospc', 'concurrency'] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

export async function runFaultSuite(
	mode: FaultMode,
	report: Progress = () => {},
	only: ReadonlySet<FaultClass> = new Set(FAULT_CLASSES),
): Promise<SuiteResult> {
	const started = performance.now();
	const progress: Progress = (line) =>
		report(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
	const settings = SETTINGS[mode];
	const rows: FaultRow[] = [];
	const work = mkdtempSync(join(process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir(), 'dk-faults-'));
	try {
		if (only.has('fuzz')) {
			progress(`fuzzing parsers: ${settings.fuzzCount} inputs each`);
			rows.push(...(await fuzzParsers({ count: settings.fuzzCount, progress })));
		}
		if (!only.has('hostile') && !only.has('sigkill') && !only.has('enospc') && !only.has('concurrency'))
			return { mode, rows, seconds: (performance.now() - started) / 1000 };

		const bin = await programBundle();
		progress(`program: ${bin}`);
		const kernel = await debianKernel();
		const kv1 = kernel.kv;
		const kv2 = nextKernelVersion(kv1);
		const baseRoot = join(work, 'base');
		await populateFaultRoot(baseRoot, { kvs: [kv1, kv2] });

		if (only.has('hostile')) {
			rows.push(
				...(await hostileInputs({
					bin,
					work,
					template: baseRoot,
					validKv: kv1,
					every: settings.hostileEvery,
					progress,
				})),
			);
			rows.push(await plantedSymlinks({ bin, work, template: baseRoot, kv: kv1, progress }));
		}

		const previous = join(work, 'previous');
		cloneRoot(baseRoot, previous);
		const failure = await installedTemplate(bin, previous, kv1, progress);
		if (failure) {
			for (const kind of ['SIGKILL', 'ENOSPC', 'concurrency'])
				rows.push({ kind, subject: 'install', tried: 0, survived: 0, notes: '', skipped: failure });
			return { mode, rows, seconds: (performance.now() - started) / 1000 };
		}

		for (const scenario of only.has('sigkill') ? settings.killScenarios : []) {
			let template = previous;
			let args = ['install', kv2];
			let name = `install ${kv2} over ${kv1} (upgrade)`;
			let env: NodeJS.ProcessEnv | undefined;
			if (scenario === 'kernel-install') {
				// The same upgrade through systemd's kernel-install (layout=bls) and its plugins, ours included.
				template = join(work, 'kernel-install');
				cloneRoot(baseRoot, template);
				addKernelInstall(template, bin);
				const failed = await installedTemplate(bin, template, kv1, progress, {
					DIST_KERNEL_RUNTIME: join(template, FAULT_RUNTIME),
				});
				if (failed) {
					rows.push({
						kind: 'SIGKILL',
						subject: 'install through kernel-install',
						tried: 0,
						survived: 0,
						notes: '',
						skipped: failed,
					});
					continue;
				}
				env = { DIST_KERNEL_RUNTIME: join(work, `kill-${scenario}`, 'root', FAULT_RUNTIME) };
				name = `install ${kv2} over ${kv1} through kernel-install (layout=bls)`;
			}
			if (scenario === 'uki-layout' || scenario === 'efistub-layout') {
				// The same upgrade in install.conf's ESP layouts (built-in backend): a UKI in EFI/Linux, or the kernel
				// and its initramfs in EFI/<NAME>.
				const layout = scenario === 'uki-layout' ? 'uki' : 'efistub';
				template = join(work, scenario);
				cloneRoot(baseRoot, template);
				mkdirSync(join(template, 'efi', 'EFI', 'BOOT'), { recursive: true });
				putFile(template, '/etc/os-release', 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n');
				putFile(template, '/etc/kernel/cmdline', 'root=/dev/vda2 ro\n');
				putFile(
					template,
					'/etc/kernel/install.conf',
					`layout=${layout}\ninitrd_generator=dracut\nuki_generator=${layout === 'uki' ? 'dracut' : 'none'}\n`,
				);
				const failed = await installedTemplate(bin, template, kv1, progress);
				if (failed) {
					rows.push({
						kind: 'SIGKILL',
						subject: `install in layout=${layout}`,
						tried: 0,
						survived: 0,
						notes: '',
						skipped: failed,
					});
					continue;
				}
				name = `install ${kv2} over ${kv1} in layout=${layout} (ESP)`;
			}
			if (scenario === 'reinstall') {
				template = join(work, 'reinstall');
				makeReinstallTemplate(previous, template, kv1);
				args = ['install', kv1];
				name = `install ${kv1} again, rebuilt image (every file replaced)`;
			}
			const { row } = await killAtCheckpoints(
				{ name, template, args, env },
				{
					bin,
					work: join(work, `kill-${scenario}`),
					maxPoints: settings.killPoints,
					dracutDelaysMs: settings.dracutDelaysMs,
					progress,
				},
			);
			rows.push(row);
		}

		if (!only.has('enospc')) {
			// Not selected.
		} else if (canMount(work)) {
			rows.push(
				...(await noSpace({
					bin,
					work: join(work, 'nospace'),
					template: previous,
					args: ['install', kv2],
					label: `install ${kv2}`,
					fsKinds: settings.noSpaceFs,
					levels: settings.noSpaceLevels,
					progress,
				})),
			);
		} else {
			rows.push({
				kind: 'ENOSPC',
				subject: 'install',
				tried: 0,
				survived: 0,
				notes: '',
				skipped: 'cannot mount here (needs root and mount permission)',
			});
		}

		if (only.has('concurrency')) {
			const commands = Array.from({ length: settings.concurrent }, (_v, i) =>
				i % 2 === 0 ? ['install', kv2] : ['initramfs', kv1],
			);
			rows.push(await concurrentRuns({ bin, work: join(work, 'concurrency'), template: previous, commands, progress }));
		}
	} finally {
		const errors = unmountAll();
		if (errors.length > 0) progress(`WARNING: could not unmount: ${errors.join('; ')}`);
		else rmSync(work, { recursive: true, force: true });
	}
	return { mode, rows, seconds: (performance.now() - started) / 1000 };
}
