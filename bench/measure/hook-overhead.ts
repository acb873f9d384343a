// Hook overhead: the bundled program answering a kernel-install `remove` that our plugin ignores
// (`plugin dist-kernel remove KV ENTRY_DIR` returns "nothing to remove" without touching anything) against bare
// `node -e ''`, interleaved. Wall time and CPU time (user+sys, via GNU time when present: less sensitive to other
// load on the machine). Also reports what the entry loads before running: its static imports, and whether any of
// commander, zod, execa or handlebars is among them.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from '../lib/run-process';
import { median } from '../lib/stats';

const TIME = '/usr/bin/time';

export interface HookOverhead {
	command: string;
	bareNodeMs: number;
	hookMs: number;
	ratio: number;
	bareNodeCpuMs: number;
	hookCpuMs: number;
	cpuRatio: number;
	/** Bytes of the files loaded at start-up (the entry and its static imports). */
	startupBytes: number;
	startupFiles: number;
	/** Libraries among commander, zod, execa, handlebars that start-up loads (esbuild marks each module's origin). */
	heavyAtStartup: string[];
	runs: number;
}

/** The entry and its static imports, transitively (dynamic import() is what start-up does not load). */
export function startupClosure(entry: string): string[] {
	const seen = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		for (const m of readFileSync(file, 'utf8').matchAll(
			/^(?:import|export)\b[^;]*?from\s*"(\.\.?\/[^"]+)"|^import\s*"(\.\.?\/[^"]+)"/gm,
		))
			visit(join(dirname(file), (m[1] ?? m[2])!));
	};
	visit(entry);
	return [...seen];
}

async function timed(argv: string[]): Promise<{ wall: number; cpu: number }> {
	const withTime = existsSync(TIME);
	const r = withTime
		? await runProcess(TIME, ['-f', 'dk-cpu %U %S', ...argv], { env: { ...process.env, NO_COLOR: '1' } })
		: await runProcess(argv[0]!, argv.slice(1));
	if (r.code !== 0)
		throw new Error(
			`${argv.slice(1).join(' ')} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`,
		);
	const cpu = /dk-cpu ([0-9.]+) ([0-9.]+)/.exec(r.stderr);
	return { wall: r.ms, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN };
}

export async function measureHookOverhead(bin: string, runs: number): Promise<HookOverhead> {
	const root = mkdtempSync(join(tmpdir(), 'dk-bench-hook-'));
	try {
		const args = ['--root', root, 'plugin', 'dist-kernel', 'remove', '6.1.0-gentoo-dist', join(root, 'entry')];
		const hook = () => timed([process.execPath, bin, ...args]);
		const bare = () => timed([process.execPath, '-e', '']);
		await hook();
		await bare();
		const h: { wall: number; cpu: number }[] = [];
		const b: { wall: number; cpu: number }[] = [];
		for (let i = 0; i < runs; i += 1) {
			h.push(await hook());
			b.push(await bare());
		}
		const hookMs = median(h.map((x) => x.wall));
		const bareNodeMs = median(b.map((x) => x.wall));
		const hookCpuMs = median(h.map((x) => x.cpu));
		const bareNodeCpuMs = median(b.map((x) => x.cpu));
		return {
			command: `node dist-kernel.mjs ${args.join(' ').split(root).join('R')}`,
			bareNodeMs,
			hookMs,
			ratio: hookMs / bareNodeMs,
			bareNodeCpuMs,
			hookCpuMs,
			cpuRatio: hookCpuMs / bareNodeCpuMs,
			...startupReport(bin),
			runs,
		};
	} finally {
		rmSync(root, { recursive: true, force: true });
	}
}

function startupReport(bin: string): Pick<HookOverhead, 'startupBytes' | 'startupFiles' | 'heavyAtStartup'> {
	const files = startupClosure(bin);
	const texts = files.map((f) => readFileSync(f, 'utf8'));
	return {
		startupBytes: texts.reduce((n, t) => n + Buffer.byteLength(t), 0),
		startupFiles: files.length,
		heavyAtStartup: ['commander', 'zod', 'execa', 'handlebars'].filter((lib) =>
			texts.some((t) => t.includes(`// node_modules/${lib}/`)),
		),
	};
}
