// STYLE rule 0: arrows point one way. Any import cycle in src/ (type-only imports included) fails here.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, readImportGraph } from '../helpers/import-graph';

const src = resolve(import.meta.dirname, '..', '..', 'src');

describe('the import graph of src/', () => {
	it('has no cycle', () => {
		const graph = readImportGraph(src);
		expect(graph.size).toBeGreaterThan(50);
		expect(graph.get('cli/run-program.ts')).toContain('cli/program.ts');
		expect(graph.get('cli/main.ts')).toContain('cli/run-program.ts');
		expect(findCycles(graph)).toEqual([]);
	});

	it('the walker finds type-only, re-export, dynamic and index cycles', () => {
		const dir = mkdtempSync(join(tmpdir(), 'dk-cycles-'));
		try {
			mkdirSync(join(dir, 'cmd'));
			writeFileSync(join(dir, 'program.ts'), "import { list } from './cmd';\nexport type Action = () => void;\n");
			writeFileSync(join(dir, 'cmd', 'index.ts'), "export { one } from './one';\nexport const list = [];\n");
			writeFileSync(join(dir, 'cmd', 'one.ts'), "import type { Action } from '../program';\nexport const one = 1;\n");
			writeFileSync(join(dir, 'a.ts'), "export const a = () => import('./b');\n");
			writeFileSync(join(dir, 'b.ts'), "import { a } from './a';\n");
			writeFileSync(join(dir, 'leaf.ts'), "import { a } from './a';\nimport { readFileSync } from 'node:fs';\n");
			expect(findCycles(readImportGraph(dir))).toEqual([
				['a.ts', 'b.ts'],
				['cmd/index.ts', 'cmd/one.ts', 'program.ts'],
			]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
