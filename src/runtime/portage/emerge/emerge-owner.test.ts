import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEmergeAncestor, isProcessAlive } from './emerge-owner';

const top = resolve(import.meta.dirname, '..', '..', '..', '..');

describe('findEmergeAncestor', () => {
	it('finds the outermost emerge among the ancestors, and tells when it is gone', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'dk-owner-'));
		try {
			const out = join(dir, 'owner.json');
			writeFileSync(
				join(dir, 'probe.mts'),
				`import { writeFileSync } from 'node:fs';\nimport { findEmergeAncestor } from ${JSON.stringify(join(import.meta.dirname, 'emerge-owner.ts'))};\nwriteFileSync(${JSON.stringify(out)}, JSON.stringify({ owner: findEmergeAncestor(), top: process.env.TOP }));\n`,
			);
			// emerge → emerge (like Portage's forked MergeProcess, same name) → node probe.
			const script = [
				'#!/bin/bash',
				'if [[ $1 == inner ]]; then',
				`  ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(join(dir, 'probe.mts'))}`,
				'else',
				`  TOP=$$ ${JSON.stringify(join(dir, 'emerge'))} inner`,
				'fi',
				'',
			].join('\n');
			writeFileSync(join(dir, 'emerge'), script);
			chmodSync(join(dir, 'emerge'), 0o755);
			await new Promise<void>((done, fail) => {
				const child = spawn(join(dir, 'emerge'), [], { stdio: 'inherit', cwd: top });
				child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`probe exited ${code}`))));
			});
			const { owner, top: outer } = JSON.parse(readFileSync(out, 'utf8'));
			expect(owner.pid).toBe(Number(outer));
			expect(isProcessAlive(owner)).toBe(false);
			expect(findEmergeAncestor()).toBeUndefined();
			const start = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
			expect(isProcessAlive({ pid: process.pid, start })).toBe(true);
			expect(isProcessAlive({ pid: process.pid, start: `${start}1` })).toBe(false);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
