// Feeds every parser of src/parsers/ with mutated inputs. A parser survives an input when it returns or throws a
// DistKernelError; anything else (TypeError, RangeError, stack overflow, InternalError, a property violation) is a
// crash and is reported with the input that caused it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDistKernelError } from '../../src/lib/errors';
import { createRandom, fuzzInput } from '../../test/helpers/fuzz-mutate';
import { TOP } from '../lib/bundle';
import type { FaultRow, Progress } from './fault-result';
import { FUZZ_TARGETS, loadTarget } from './fuzz-targets';

export interface FuzzOptions {
	/** Mutated inputs per parser (plus the seeds themselves). */
	count: number;
	seed?: number;
	progress?: Progress;
}

function describe(error: unknown): string {
	if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
	return String(error);
}

function showInput(input: Buffer): string {
	const shown = JSON.stringify(input.subarray(0, 60).toString('latin1'));
	return input.length > 60 ? `${shown}… (${input.length} bytes)` : shown;
}

export async function fuzzParsers(options: FuzzOptions): Promise<FaultRow[]> {
	const rows: FaultRow[] = [];
	for (const target of FUZZ_TARGETS) {
		const loaded = await loadTarget(target);
		if (!loaded.fn || !loaded.mod) {
			rows.push({
				kind: 'fuzz',
				subject: target.name,
				tried: 0,
				survived: 0,
				notes: '',
				skipped: loaded.absent ?? 'absent',
			});
			continue;
		}
		const random = createRandom(options.seed ?? 0x5eed);
		const total = target.seeds.length + options.count;
		let returned = 0;
		let typed = 0;
		let slowest = 0;
		const crashes: string[] = [];
		const crashKinds = new Set<string>();
		for (let i = 0; i < total; i += 1) {
			const input = fuzzInput(random, i, target.seeds, target.tokens);
			const start = performance.now();
			try {
				target.call(loaded.fn, input, loaded.mod);
				returned += 1;
			} catch (error) {
				if (isDistKernelError(error)) typed += 1;
				else {
					// One example per distinct error name, at most three.
					const kind = error instanceof Error ? error.name : typeof error;
					if (!crashKinds.has(kind) && crashKinds.size < 3) crashes.push(`${describe(error)} on ${showInput(input)}`);
					crashKinds.add(kind);
				}
			}
			slowest = Math.max(slowest, performance.now() - start);
		}
		const crashed = total - returned - typed;
		const notes = [`${returned} returned, ${typed} typed errors, slowest ${slowest.toFixed(1)} ms`];
		if (crashed > 0) notes.push(`${crashed} CRASHES: ${crashes.join('; ')}`);
		rows.push({
			kind: 'fuzz',
			subject: target.name,
			tried: total,
			survived: returned + typed,
			notes: notes.join('; '),
		});
		options.progress?.(`fuzz ${target.name}: ${total} inputs, ${crashed} crashes`);
	}
	// A parser added later without a fuzz target shows up in the table instead of passing unnoticed.
	const covered = new Set(FUZZ_TARGETS.map((t) => t.module));
	for (const file of readdirSync(join(TOP, 'src', 'parsers')).sort()) {
		if (!file.endsWith('.ts') || file.endsWith('.test.ts') || covered.has(`parsers/${file}`)) continue;
		rows.push({
			kind: 'fuzz',
			subject: `src/parsers/${file}`,
			tried: 0,
			survived: 0,
			notes: '',
			skipped: 'no fuzz target in bench/faults/fuzz-targets.ts',
		});
	}
	return rows;
}
