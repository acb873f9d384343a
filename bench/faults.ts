// `npm run faults [-- --ci]`: counts what the fault suite tried and what survived, and ends with the table.
// Full mode by default; `--ci` (or DIST_KERNEL_FAULTS=ci, or CI=true) runs the same classes with smaller counts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedCount } from './faults/fault-result';
import { FAULT_CLASSES, type FaultClass, modeFrom, runFaultSuite, SETTINGS } from './faults/suite';
import { TOP } from './lib/bundle';
import { renderTable } from './lib/text-table';

const mode = modeFrom(process.argv.slice(2), process.env);
// `--only=enospc,sigkill` runs some classes (fuzz hostile sigkill enospc concurrency); the JSON then says so.
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set<FaultClass>(
	(onlyArg ? onlyArg.split(',') : FAULT_CLASSES).filter((c): c is FaultClass =>
		(FAULT_CLASSES as readonly string[]).includes(c),
	),
);
const settings = SETTINGS[mode];
process.stdout.write(
	`dist-kernel fault suite — mode: ${mode}${mode === 'ci' ? ' (smaller counts; run without --ci for the full suite)' : ' (full counts)'}\n` +
		`  fuzz ${settings.fuzzCount} inputs per parser; SIGKILL at ${settings.killPoints ?? 'every'} checkpoint(s) of ${settings.killScenarios.join(' + ')}; ` +
		`ENOSPC on ${settings.noSpaceFs.join(' + ')} at ${settings.noSpaceLevels.length} fill levels; ${settings.concurrent} concurrent runs\n\n`,
);
if (onlyArg) process.stdout.write(`only: ${[...only].join(', ')}\n\n`);
const result = await runFaultSuite(mode, (line) => process.stdout.write(`${line}\n`), only);
const rows = result.rows.map((r) => [
	r.kind,
	r.subject,
	r.skipped ? '-' : String(r.tried),
	r.skipped ? '-' : String(r.survived),
	r.skipped ? '-' : String(failedCount(r)),
	r.skipped ? `NOT RUN: ${r.skipped}` : r.notes,
]);
const ran = result.rows.filter((r) => !r.skipped);
const tried = ran.reduce((s, r) => s + r.tried, 0);
const survived = ran.reduce((s, r) => s + r.survived, 0);
rows.push([
	'total',
	`${ran.length} rows run, ${result.rows.length - ran.length} not run`,
	String(tried),
	String(survived),
	String(tried - survived),
	`${result.seconds.toFixed(0)} s, mode ${mode}`,
]);
process.stdout.write(`\n${renderTable(['fault', 'subject', 'tried', 'survived', 'failed', 'notes'], rows)}\n`);
const jsonName = `faults-results${mode === 'ci' ? '-ci' : ''}${onlyArg ? '-partial' : ''}.json`;
writeFileSync(
	join(TOP, 'bench', jsonName),
	`${JSON.stringify({ mode, only: [...only], seconds: result.seconds, rows: result.rows }, null, '\t')}\n`,
);
process.exitCode = tried === survived ? 0 : 1;
