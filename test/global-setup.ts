// Builds the bundle from the current sources once per test run, so tests that run the program as a process
// (eclasses, plugins, e2e flows) use today's code: `process.env.DIST_KERNEL_TEST_BIN` is its path.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export default async function setup(): Promise<void> {
	const top = resolve(import.meta.dirname, '..');
	const outDir = join(top, '.cache', 'test-bundle');
	mkdirSync(outDir, { recursive: true });
	const outfile = join(outDir, 'dist-kernel.mjs');
	await build({
		entryPoints: [join(top, 'src/cli/main.ts')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		loader: { '.hbs': 'text' },
		banner: { js: "#!/usr/bin/env node\nimport { createRequire as __dkCreateRequire } from 'node:module';\nconst require = __dkCreateRequire(import.meta.url);" },
		outfile,
		logLevel: 'error',
	});
	process.env['DIST_KERNEL_TEST_BIN'] = outfile;
}
