// Builds the bundle from the current sources once per test run, exactly as `npm run build` does (esbuild.config.mjs:
// the entry and its chunks), so tests that run the program as a process (eclasses, plugins, e2e flows) use today's
// code: `process.env.DIST_KERNEL_TEST_BIN` is the entry's path. The bundle goes to a directory named by its content
// (.cache/test-bundles/<hash>/): a second `vitest run` with other sources never replaces the program under a run
// still going, and the saved real-Portage root states keyed by it (test/portage/prepared-root.ts) stay valid.
import { createHash } from 'node:crypto';
import {
	chmodSync,
	existsSync,
	mkdirSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleProgram, ENTRY_FILE } from '../esbuild.config.mjs';

/** Bundles of other sources kept beside the current one (other runs may still use them). */
const KEEP = 4;

export default async function setup(): Promise<void> {
	const top = resolve(import.meta.dirname, '..');
	const base = join(top, '.cache', 'test-bundles');
	const files = await bundleProgram(join(base, 'build'));
	const hash = createHash('sha256');
	for (const name of [...files.keys()].sort()) hash.update(`${name}\0`).update(files.get(name)!).update('\0');
	const dir = join(base, hash.digest('hex').slice(0, 16));
	if (!existsSync(join(dir, ENTRY_FILE))) {
		const staging = `${dir}.${process.pid}.tmp`;
		rmSync(staging, { recursive: true, force: true });
		for (const [name, data] of files) {
			mkdirSync(dirname(join(staging, name)), { recursive: true });
			writeFileSync(join(staging, name), data);
		}
		chmodSync(join(staging, ENTRY_FILE), 0o755);
		try {
			renameSync(staging, dir);
		} catch {
			// another run wrote the same bundle first
			rmSync(staging, { recursive: true, force: true });
		}
	}
	const now = new Date();
	utimesSync(dir, now, now);
	const others = readdirSync(base, { withFileTypes: true })
		.filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name) && join(base, e.name) !== dir)
		.map((e) => ({ path: join(base, e.name), mtime: statSync(join(base, e.name)).mtimeMs }))
		.sort((a, b) => b.mtime - a.mtime);
	for (const { path } of others.slice(KEEP)) rmSync(path, { recursive: true, force: true });
	process.env['DIST_KERNEL_TEST_BIN'] = join(dir, ENTRY_FILE);
}
