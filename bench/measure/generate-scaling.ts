// `generate` over synthetic repositories with N kernel versions (split over the three default kernel packages,
// with metadata/md5-cache entries as a synced gentoo repository has), run as the program: N = 10, 100, 500.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from '../lib/run-process';
import { linearFit, median } from '../lib/stats';

const PACKAGES = ['gentoo-kernel', 'gentoo-kernel-bin', 'vanilla-kernel'];
/** GNU time, for the child's CPU time (apt: time; present on Debian 12 images). */
const TIME = '/usr/bin/time';

function put(path: string, text: string): void {
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, text);
}

/** The i-th synthetic version: 5.x.y and 6.x.y series, some revisions and _p/_rc suffixes. */
export function syntheticVersion(i: number): string {
	const major = 5 + (i % 2);
	const minor = Math.floor(i / 2) % 20;
	const patch = Math.floor(i / 40);
	const suffix = i % 7 === 3 ? '_p1' : i % 11 === 5 ? '-r1' : '';
	return `${major}.${minor}.${patch}${suffix}`;
}

export function writeSyntheticRepoRoot(root: string, versions: number): void {
	const repo = join(root, 'var', 'db', 'repos', 'gentoo');
	put(
		join(root, 'etc', 'portage', 'repos.conf', 'gentoo.conf'),
		`[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\n`,
	);
	put(join(repo, 'profiles', 'repo_name'), 'gentoo\n');
	put(join(repo, 'metadata', 'layout.conf'), 'masters =\nthin-manifests = true\n');
	for (let i = 0; i < versions; i += 1) {
		const pn = PACKAGES[i % PACKAGES.length]!;
		const pvr = syntheticVersion(i);
		const slot = pvr.replace(/-r\d+$/, '');
		put(
			join(repo, 'sys-kernel', pn, `${pn}-${pvr}.ebuild`),
			`# Copyright 2026 Gentoo Authors\nEAPI=8\nDESCRIPTION="synthetic"\nSLOT="${slot}"\nKEYWORDS="amd64 ~arm64"\n`,
		);
		put(
			join(repo, 'metadata', 'md5-cache', 'sys-kernel', `${pn}-${pvr}`),
			`EAPI=8\nKEYWORDS=amd64 ~arm64\nSLOT=${slot}\n`,
		);
	}
}

export interface GeneratePoint {
	versions: number;
	medianMs: number;
	/** User + system CPU time of the process (GNU time), median: wall time minus this is waiting (fsync). */
	medianCpuMs: number;
	runs: number[];
	/** Files written to the overlay. */
	ok: boolean;
}

export interface GenerateScaling {
	points: GeneratePoint[];
	msPerVersion: number;
	fixedMs: number;
	r2: number;
	error?: string;
}

export async function measureGenerateScaling(
	bin: string,
	sizes: readonly number[],
	runs: number,
): Promise<GenerateScaling> {
	const work = mkdtempSync(join(tmpdir(), 'dk-bench-generate-'));
	try {
		const roots = sizes.map((n) => {
			const root = join(work, `repo-${n}`);
			writeSyntheticRepoRoot(root, n);
			return { n, root, out: join(work, `overlay-${n}`), times: [] as number[], cpu: [] as number[] };
		});
		let error: string | undefined;
		// Interleaved so that machine load hits every size alike; one untimed warm-up each.
		for (let round = -1; round < runs; round += 1) {
			for (const r of roots) {
				rmSync(r.out, { recursive: true, force: true });
				const argv = [process.execPath, bin, '--root', r.root, 'generate', '--output', r.out];
				const result = existsSync(TIME)
					? await runProcess(TIME, ['-f', 'dk-cpu %U %S', ...argv], { env: { ...process.env, NO_COLOR: '1' } })
					: await runProcess(argv[0]!, argv.slice(1), { env: { ...process.env, NO_COLOR: '1' } });
				if (result.code !== 0)
					error ??= `generate over ${r.n} versions failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`;
				const cpu = /dk-cpu ([0-9.]+) ([0-9.]+)/.exec(result.stderr);
				if (round >= 0) {
					r.times.push(result.ms);
					r.cpu.push(cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN);
				}
			}
		}
		const points = roots.map((r) => ({
			versions: r.n,
			medianMs: median(r.times),
			medianCpuMs: median(r.cpu),
			runs: r.times,
			ok: error === undefined,
		}));
		const fit = linearFit(points.map((p) => ({ x: p.versions, y: p.medianMs })));
		return { points, msPerVersion: fit.slope, fixedMs: fit.intercept, r2: fit.r2, ...(error ? { error } : {}) };
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}
