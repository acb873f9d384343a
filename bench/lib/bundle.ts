// Builds what the bench and the fault suite run, from today's sources, with the same esbuild options as
// esbuild.config.mjs: the program itself and small single-purpose entry points (bench/entries/*.ts).
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { writeProgram } from '../../esbuild.config.mjs';

export const TOP = resolve(import.meta.dirname, '..', '..');
export const BENCH_CACHE = join(TOP, '.cache', 'bench');

const BANNER =
	"#!/usr/bin/env node\nimport { createRequire as __dkCreateRequire } from 'node:module';\nconst require = __dkCreateRequire(import.meta.url);";

export async function bundleEntry(entry: string, outName = `${basename(entry, '.ts')}.mjs`): Promise<string> {
	mkdirSync(BENCH_CACHE, { recursive: true });
	const outfile = join(BENCH_CACHE, outName);
	await build({
		entryPoints: [resolve(TOP, entry)],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		charset: 'utf8',
		loader: { '.hbs': 'text' },
		banner: { js: BANNER },
		outfile,
		logLevel: 'error',
	});
	return outfile;
}

/**
 * The program as `npm run build` bundles it (its entry and chunks; or the test bundle when running under vitest).
 * One directory per process, removed at exit, so that a bench and a fault run at the same time never swap each
 * other's program.
 */
export async function programBundle(): Promise<string> {
	const fromTests = process.env['DIST_KERNEL_TEST_BIN'];
	if (fromTests) return fromTests;
	const dir = join(BENCH_CACHE, `program.${process.pid}`);
	const entry = await writeProgram(dir);
	process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
	return entry;
}
