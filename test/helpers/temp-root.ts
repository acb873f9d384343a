// Per-test temporary roots: everything a test writes lives under one mkdtemp directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempRoot {
	root: string;
	path(systemPath: string): string;
	write(systemPath: string, content: string, mode?: number): string;
	cleanup(): void;
}

export function makeTempRoot(prefix = 'dk-root-'): TempRoot {
	const root = mkdtempSync(join(process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir(), prefix));
	return {
		root,
		path: (p) => join(root, p),
		write: (p, content, mode = 0o644) => {
			const full = join(root, p);
			mkdirSync(dirname(full), { recursive: true });
			writeFileSync(full, content, { mode });
			return full;
		},
		cleanup: () => rmSync(root, { recursive: true, force: true }),
	};
}
