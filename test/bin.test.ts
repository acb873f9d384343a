import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, testBin } from './helpers/bin';

/** Files a module loads before running: its static imports, transitively (dynamic import() not followed). */
function staticClosure(entry: string): string[] {
	const seen = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		for (const m of text.matchAll(/^(?:import|export)\b[^;]*?from\s*"(\.\.?\/[^"]+)"|^import\s*"(\.\.?\/[^"]+)"/gm))
			visit(join(dirname(file), (m[1] ?? m[2])!));
	};
	visit(entry);
	return [...seen];
}

describe('the bundled program', () => {
	it('prints help and exits 0', async () => {
		const result = await runBin(['--help']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('Usage: dist-kernel');
	});
	it('exits 2 on an unknown command', async () => {
		const result = await runBin(['no-such-command']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain("unknown command 'no-such-command'");
	});

	it('loads neither commander, zod, execa nor handlebars at start-up (the plugin hot path)', () => {
		const files = staticClosure(testBin());
		expect(files.length).toBeGreaterThan(1);
		const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
		expect(text).toContain('// src/cli/plugin-fast-path.ts');
		for (const heavy of ['commander', 'zod', 'execa', 'handlebars'])
			expect(text).not.toContain(`// node_modules/${heavy}/`);
		// ...while the whole program is there, behind import().
		expect(text).toMatch(/import\("\.\/chunks\/run-program\.mjs"\)/);
	});

	it('answers a plugin call on the fast path and through commander alike', async () => {
		const fast = await runBin(['plugin', 'dist-kernel', 'remove', 'bad kv', '/e']);
		// A flag after `plugin` makes the fast path decline: commander parses the same call.
		const full = await runBin(['plugin', 'dist-kernel', 'remove', 'bad kv', '/e', '--dry-run']);
		expect(fast).toEqual(full);
		expect(fast.code).toBe(2);
		const quiet = await runBin(['plugin', 'dist-kernel', 'remove', '6.1.0', '/e']);
		const verbose = await runBin(['plugin', 'dist-kernel', 'remove', '6.1.0', '/e'], {
			env: { KERNEL_INSTALL_VERBOSE: '1' },
		});
		expect([quiet.code, quiet.stderr, verbose.code]).toEqual([0, '', 0]);
		expect(verbose.stderr).toContain('dist-kernel plugin: nothing to remove');
		expect(
			await runBin(['plugin', 'dist-kernel', 'remove', '6.1.0', '/e', '--verbose'], {
				env: { KERNEL_INSTALL_VERBOSE: '1' },
			}),
		).toEqual(verbose);
	});
});
