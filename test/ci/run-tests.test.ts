// `npm test`'s summary line (test/run-tests.mjs) counts what failed once: a failed test nested in describe blocks is
// one failure, a file that cannot load or whose hook fails is one more, and an earlier CI step's failure is added.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'dk-run-tests-'));
	// a config of its own, so that this project's include list and global setup do not apply
	writeFileSync(join(dir, 'vitest.config.mjs'), 'export default {};\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function summary(env: NodeJS.ProcessEnv = {}): { line: string; status: number | null } {
	const result = spawnSync(process.execPath, ['test/run-tests.mjs', '--root', dir], {
		encoding: 'utf8',
		env: { ...process.env, ...env },
	});
	const lines = result.stdout.trim().split('\n');
	return { line: lines[lines.length - 1] ?? '', status: result.status };
}

it('one failed test inside nested describe blocks, a failing beforeAll and a file that cannot load: 3 failed', () => {
	writeFileSync(
		join(dir, 'nested.test.ts'),
		"import { describe, expect, it } from 'vitest';\ndescribe('a', () => { describe('b', () => { it('fails', () => expect(1).toBe(2)); it('passes', () => {}); }); });\n",
	);
	writeFileSync(
		join(dir, 'hook.test.ts'),
		"import { beforeAll, it } from 'vitest';\nbeforeAll(() => { throw new Error('boom'); });\nit('never runs', () => {});\n",
	);
	writeFileSync(join(dir, 'broken.test.ts'), "import './no-such-module';\n");
	expect(summary()).toEqual({ line: '1 passed, 3 failed, 1 skipped', status: 1 });
});

it('all green: exit 0; a failed step before the tests is counted in and fails the run', () => {
	writeFileSync(
		join(dir, 'ok.test.ts'),
		"import { it } from 'vitest';\nit('passes', () => {});\nit('too', () => {});\n",
	);
	expect(summary()).toEqual({ line: '2 passed, 0 failed', status: 0 });
	expect(summary({ DIST_KERNEL_FAILED_BEFORE: '1' })).toEqual({ line: '2 passed, 1 failed', status: 1 });
});
