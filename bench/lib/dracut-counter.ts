// A counting `dracut` put first on PATH: it logs start and end (with nanosecond times) to a file and runs the real
// dracut in between, so a run can be counted and overlapping runs can be detected.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from './run-process';

export interface DracutRun {
	pid: number;
	start: number;
	end?: number;
	exitCode?: number;
}

export interface DracutCounter {
	/** Put this directory first on PATH. */
	pathDir: string;
	log: string;
	runs(): DracutRun[];
	reset(): void;
}

export function realDracut(): string {
	for (const candidate of ['/usr/bin/dracut', '/usr/sbin/dracut', '/bin/dracut', '/sbin/dracut'])
		if (existsSync(candidate)) return candidate;
	return runChecked('sh', ['-c', 'command -v dracut']).trim();
}

function quote(text: string): string {
	return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function createDracutCounter(dir: string): DracutCounter {
	const pathDir = join(dir, 'bin');
	mkdirSync(pathDir, { recursive: true });
	const log = join(dir, 'dracut-runs.log');
	writeFileSync(log, '');
	const script = [
		'#!/bin/bash',
		'# Counting wrapper written by bench/lib/dracut-counter.ts',
		`log=${quote(log)}`,
		'printf "start %s %s\\n" "$$" "$(date +%s%N)" >> "$log"',
		`${quote(realDracut())} "$@"`,
		'rc=$?',
		'printf "end %s %s %s\\n" "$$" "$(date +%s%N)" "$rc" >> "$log"',
		'exit "$rc"',
		'',
	].join('\n');
	writeFileSync(join(pathDir, 'dracut'), script);
	chmodSync(join(pathDir, 'dracut'), 0o755);
	return {
		pathDir,
		log,
		reset: () => writeFileSync(log, ''),
		runs: () => {
			const byPid = new Map<number, DracutRun>();
			const order: DracutRun[] = [];
			for (const line of readFileSync(log, 'utf8').split('\n')) {
				const [what, pid, time, code] = line.split(' ');
				if (what === 'start') {
					const run: DracutRun = { pid: Number(pid), start: Number(time) / 1e6 };
					byPid.set(run.pid, run);
					order.push(run);
				} else if (what === 'end') {
					const run = byPid.get(Number(pid));
					if (run) {
						run.end = Number(time) / 1e6;
						run.exitCode = Number(code);
					}
				}
			}
			return order;
		},
	};
}

/** Pairs of runs whose [start, end] intervals overlap. */
export function overlappingRuns(runs: readonly DracutRun[]): number {
	let count = 0;
	for (let i = 0; i < runs.length; i += 1) {
		for (let j = i + 1; j < runs.length; j += 1) {
			const a = runs[i]!;
			const b = runs[j]!;
			const aEnd = a.end ?? Number.POSITIVE_INFINITY;
			const bEnd = b.end ?? Number.POSITIVE_INFINITY;
			if (a.start < bEnd && b.start < aEnd) count += 1;
		}
	}
	return count;
}
