// Issue 23: src/runtime in floors. An import from a lower floor to a higher one (or between features) fails here.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { floorViolations, readImportGraph } from '../helpers/import-graph';
import { FLOORS } from './floors';

const top = resolve(import.meta.dirname, '..', '..');
const src = join(top, 'src');

/** Every folder under src/runtime that holds a source file, relative to src/runtime ('' for itself). */
function runtimeFolders(dir = join(src, 'runtime'), rel = ''): string[] {
	const out: string[] = [];
	let hasFile = false;
	for (const name of readdirSync(dir).sort()) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) out.push(...runtimeFolders(path, rel ? `${rel}/${name}` : name));
		else if (name.endsWith('.ts')) hasFile = true;
	}
	return hasFile ? [rel, ...out] : out;
}

describe('the floors of src/runtime', () => {
	it('every import goes down a floor (or stays in its folder), and no folder cycle exists', () => {
		const graph = readImportGraph(src);
		expect(floorViolations(graph, { floors: FLOORS, under: 'runtime' })).toEqual([]);
	});

	it('places every folder on exactly one floor', () => {
		const placed = FLOORS.flatMap((floor) => floor.folders);
		expect(new Set(placed).size).toBe(placed.length);
		expect(runtimeFolders().sort()).toEqual([...placed].sort());
	});

	it("README's architecture table has one line per folder, in floor order", () => {
		const readme = readFileSync(join(top, 'README.md'), 'utf8');
		const section = readme.slice(
			readme.indexOf('## Architecture'),
			readme.indexOf('\n## ', readme.indexOf('## Architecture') + 1),
		);
		const lines = FLOORS.flatMap((floor) => floor.folders).map(
			(folder) => `| \`src/runtime/${folder ? `${folder}/` : ''}\` |`,
		);
		const positions = lines.map((line) => section.indexOf(line));
		expect(lines.filter((_, i) => positions[i]! < 0)).toEqual([]);
		expect(positions).toEqual([...positions].sort((a, b) => a - b));
	});

	it('the checker finds upward, sideways and unplaced imports and folder cycles', () => {
		const dir = mkdtempSync(join(tmpdir(), 'dk-floors-'));
		try {
			for (const d of ['top/a', 'top/b', 'low/c', 'low/d', 'stray']) mkdirSync(join(dir, d), { recursive: true });
			writeFileSync(join(dir, 'top/a/a.ts'), "import { c } from '../../low/c/c';\nexport const a = c;\n");
			writeFileSync(join(dir, 'top/b/b.ts'), "import { a } from '../a/a';\nexport const b = a;\n");
			writeFileSync(
				join(dir, 'low/c/c.ts'),
				"import type { B } from '../../top/b/b-type';\nimport { d } from '../d/d';\nexport const c = d;\n",
			);
			writeFileSync(join(dir, 'top/b/b-type.ts'), 'export type B = 1;\n');
			writeFileSync(join(dir, 'low/d/d.ts'), "import { c } from '../c/c';\nexport const d = 1;\n");
			writeFileSync(join(dir, 'stray/s.ts'), 'export const s = 1;\n');
			const plan = {
				under: '',
				floors: [
					{ name: 'top', folders: ['top/a', 'top/b'], siblings: 'none' as const },
					{ name: 'low', folders: ['low/c', 'low/d'], siblings: 'acyclic' as const },
				],
			};
			expect(floorViolations(readImportGraph(dir), plan)).toEqual([
				'folder cycle: low/c, low/d, top/a, top/b',
				'low/c/c.ts -> top/b/b-type.ts (upward: low imports top)',
				'stray/s.ts: folder stray is on no floor',
				'top/b/b.ts -> top/a/a.ts (sideways on floor top)',
			]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
