// README's error table is checked against the one map of codes (src/lib/error-codes.ts), and every code in the
// map is one the program can raise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/lib/error-codes';

const top = resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sources(path);
		return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
	});
}

/** The table README.md shows, rendered from the map (what the README must contain verbatim). */
function errorTable(): string {
	const rows = Object.entries(ERROR_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`);
	return ['| code | meaning |', '|---|---|', ...rows].join('\n');
}

describe('error codes', () => {
	it("README's table lists every code of src/lib/error-codes.ts with its meaning, in order", () => {
		const readme = readFileSync(join(top, 'README.md'), 'utf8');
		const start = readme.indexOf('| code | meaning |');
		const end = readme.indexOf('\n\n', start);
		expect(start).toBeGreaterThan(0);
		expect(readme.slice(start, end === -1 ? undefined : end)).toBe(errorTable());
	});

	it('every code in the map is raised somewhere in src/', () => {
		const text = sources(join(top, 'src'))
			.filter((file) => !file.endsWith('error-codes.ts'))
			.map((file) => readFileSync(file, 'utf8'))
			.join('\n');
		expect(Object.keys(ERROR_CODES).filter((code) => !text.includes(`'${code}'`))).toEqual([]);
	});

	it('codes are sorted and namespaced (area.what)', () => {
		const codes = Object.keys(ERROR_CODES);
		expect(codes).toEqual([...codes].sort());
		expect(codes.filter((code) => !/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(code))).toEqual([]);
	});
});
