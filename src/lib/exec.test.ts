import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDistKernelError } from './errors';
import { createExec, searchPath } from './exec';
import { createMemoryLogger } from './log';

async function caught(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected a rejection');
}

describe('exec', () => {
	const logger = createMemoryLogger();
	const exec = createExec({ logger });

	it('passes arguments verbatim, without a shell', async () => {
		const result = await exec('printf', ['%s|', '$(id)', 'a b', "it's"]);
		expect(result.stdout).toBe("$(id)|a b|it's|");
	});

	it('names a missing tool with a typed error and a hint', async () => {
		const error = await caught(exec('dist-kernel-no-such-tool', []));
		expect(isDistKernelError(error, 'exec.not-found')).toBe(true);
		expect((error as Error).message).toBe('command not found: dist-kernel-no-such-tool');
	});

	it('keeps the output of a failed command for the error, and does not mistake it for ENOENT', async () => {
		const error = await caught(exec('sh', ['-c', 'echo "ENOENT: pretend" >&2; exit 3']));
		expect(isDistKernelError(error, 'exec.failed')).toBe(true);
		expect((error as Error).message).toBe(
			'command failed with exit code 3: sh -c \'echo "ENOENT: pretend" >&2; exit 3\'',
		);
		expect((error as { details?: string }).details).toContain('ENOENT: pretend');
	});

	it('returns binary output larger than 100 MB', async () => {
		const result = await exec('head', ['-c', String(120 * 1024 * 1024), '/dev/zero'], { binary: true });
		expect(result.stdoutBuffer?.length).toBe(120 * 1024 * 1024);
	});

	it('hands binary output on only from a successful run, and leaves no temporary file behind', async () => {
		const tmp = mkdtempSync(join(tmpdir(), 'dk-exec-'));
		const saved = process.env['TMPDIR'];
		// The spool file is made under os.tmpdir() of this process.
		process.env['TMPDIR'] = tmp;
		try {
			const own = createExec({ logger });
			const ok = await own('printf', ['a\\0b'], { binary: true, input: 'ignored' });
			expect(ok.stdoutBuffer).toEqual(Buffer.from('a\0b'));
			// Partial output of a failing run (a truncated stream) is never returned.
			const failed = await own('sh', ['-c', 'printf partial; echo broken >&2; exit 3'], {
				binary: true,
				allowFailure: true,
			});
			expect([failed.exitCode, failed.stdoutBuffer?.length, failed.stderr]).toEqual([3, 0, 'broken\n']);
			expect(readdirSync(tmp)).toEqual([]);
		} finally {
			if (saved === undefined) delete process.env['TMPDIR'];
			else process.env['TMPDIR'] = saved;
			rmSync(tmp, { recursive: true, force: true });
		}
	});

	it('shows stdout as it arrives and stops the command when the signal is aborted', async () => {
		const controller = new AbortController();
		const seen: string[] = [];
		// The command waits for ever after its first line: only the abort, sent on seeing that line, ends it.
		const running = exec('sh', ['-c', 'echo first line; exec sleep 1000'], {
			onOutput: (text) => {
				seen.push(text);
				if (seen.join('').includes('first line\n')) controller.abort();
			},
			signal: controller.signal,
		});
		const error = await caught(running);
		expect(isDistKernelError(error, 'exec.canceled')).toBe(true);
		expect(seen.join('')).toBe('first line\n');
	});

	it('keeps stdout for the result when it is also shown as it arrives', async () => {
		const seen: string[] = [];
		const result = await exec('printf', ['a\nb\n'], { onOutput: (text) => seen.push(text) });
		expect(result.stdout).toBe('a\nb\n');
		expect(seen.join('')).toBe('a\nb\n');
	});

	it('prints and skips mutating commands under --dry-run', async () => {
		const dryLogger = createMemoryLogger();
		const dry = createExec({ logger: dryLogger, dryRun: true });
		const result = await dry('rm', ['-rf', '/nonexistent-dist-kernel-test'], { mutates: true });
		expect(result.skipped).toBe(true);
		expect(dryLogger.lines).toContain(' * (dry run) would run: rm -rf /nonexistent-dist-kernel-test');
	});

	it('adds the sbin directories after the inherited PATH', () => {
		expect(searchPath('/opt/wrap:/usr/bin')).toBe(
			'/opt/wrap:/usr/bin:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/bin',
		);
	});
});
