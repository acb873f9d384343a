// Builds the bundle from the current sources once per test run, exactly as `npm run build` does (esbuild.config.mjs:
// the entry and its chunks), so tests that run the program as a process (eclasses, plugins, e2e flows) use today's
// code: `process.env.DIST_KERNEL_TEST_BIN` is the entry's path.
import { join, resolve } from 'node:path';
import { writeProgram } from '../esbuild.config.mjs';

export default async function setup(): Promise<void> {
	const top = resolve(import.meta.dirname, '..');
	process.env['DIST_KERNEL_TEST_BIN'] = await writeProgram(join(top, '.cache', 'test-bundle'));
}
