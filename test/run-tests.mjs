// `npm test`: the whole vitest suite, then one plain summary line "N passed, N failed" for CI. A CI step that failed
// before the tests (.ci/run's lint) is counted in via DIST_KERNEL_FAILED_BEFORE, so the one line tells it all.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'dk-vitest-'));
const report = join(dir, 'report.json');
const result = spawnSync(
	'npx',
	['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
	{ stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } },
);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
	const json = JSON.parse(readFileSync(report, 'utf8'));
	passed = json.numPassedTests;
	// Failed tests, plus each file that failed without a failed test of its own (it did not load, or a hook
	// failed): vitest's numFailedTestSuites also counts every describe block around a failed test, so one failed
	// test would be reported as several.
	const brokenFiles = (json.testResults ?? []).filter(
		(file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
	).length;
	failed = json.numFailedTests + brokenFiles;
	skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
} catch {
	failed = Math.max(1, failed);
}
rmSync(dir, { recursive: true, force: true });
const before = Number.parseInt(process.env['DIST_KERNEL_FAILED_BEFORE'] ?? '0', 10) || 0;
failed += before;
const code = result.status === 0 && failed === 0 && passed > 0 ? 0 : 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code);
