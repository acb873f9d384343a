// Hook overhead: the bundled program answering a kernel-install `remove` that our plugin ignores
// (`plugin dist-kernel remove KV ENTRY_DIR` returns "nothing to remove" without touching anything) against bare
// `node -e ''`. A second build with handlebars replaced by an empty module shows what the generator's template
// engine costs every hook when it is loaded at start-up.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleEntry } from '../lib/bundle';
import { runProcess } from '../lib/run-process';
import { timePair } from '../lib/stats';

export interface HookOverhead {
	command: string;
	bareNodeMs: number;
	hookMs: number;
	ratio: number;
	withoutHandlebarsMs: number;
	ratioWithoutHandlebars: number;
	handlebarsAtStartup: boolean;
	runs: number;
}

/** esbuild wraps CommonJS modules; a top-level `__toESM(require_handlebars())` means it is evaluated at start-up. */
export function loadsHandlebarsAtStartup(bundle: string): boolean {
	return /^var import_handlebars\d* = __toESM\(require_handlebars\(\)/m.test(readFileSync(bundle, 'utf8'));
}

export async function measureHookOverhead(bin: string, runs: number): Promise<HookOverhead> {
	const root = mkdtempSync(join(tmpdir(), 'dk-bench-hook-'));
	try {
		const args = ['--root', root, 'plugin', 'dist-kernel', 'remove', '6.1.0-gentoo-dist', join(root, 'entry')];
		const hook = async (program: string) => {
			const r = await runProcess(process.execPath, [program, ...args], { env: { ...process.env, NO_COLOR: '1' } });
			if (r.code !== 0) throw new Error(`hook failed (exit ${r.code}): ${r.stderr}`);
		};
		const bare = async () => {
			await runProcess(process.execPath, ['-e', '']);
		};
		const plain = await timePair(() => hook(bin), bare, runs);
		const stubbed = await bundleEntry('src/cli/main.ts', 'dist-kernel-no-handlebars.mjs', { stubHandlebars: true });
		const lazy = await timePair(() => hook(stubbed), bare, runs);
		return {
			command: `node dist-kernel.mjs ${args.join(' ').split(root).join('R')}`,
			bareNodeMs: plain.b,
			hookMs: plain.a,
			ratio: plain.a / plain.b,
			withoutHandlebarsMs: lazy.a,
			ratioWithoutHandlebars: lazy.a / lazy.b,
			handlebarsAtStartup: loadsHandlebarsAtStartup(bin),
			runs,
		};
	} finally {
		rmSync(root, { recursive: true, force: true });
	}
}
