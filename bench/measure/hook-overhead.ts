// Hook overhead: the bundled program answering a kernel-install `remove` that our plugin ignores
// (`plugin dist-kernel remove KV ENTRY_DIR` returns "nothing to remove" without touching anything) against bare
// `node -e ''`. A second build without the `generate` command (the only static importer of the generator, hence
// of handlebars and the templates) shows what loading the generator at start-up costs every hook.
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
	withoutGeneratorMs: number;
	ratioWithoutGenerator: number;
	handlebarsAtStartup: boolean;
	runs: number;
}

/**
 * esbuild wraps each module of a bundle in a lazy `init_<module>()`; one of the generator's modules initialized
 * at the top level (column 0) means handlebars is evaluated and the template engine created at every start-up.
 */
export function loadsHandlebarsAtStartup(bundle: string): boolean {
	return /^init_(?:generate_overlay|render_overlay|render|template_registry)\(\);$/m.test(readFileSync(bundle, 'utf8'));
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
		const stubbed = await bundleEntry('src/cli/main.ts', 'dist-kernel-without-generator.mjs', { withoutGenerator: true });
		const lazy = await timePair(() => hook(stubbed), bare, runs);
		return {
			command: `node dist-kernel.mjs ${args.join(' ').split(root).join('R')}`,
			bareNodeMs: plain.b,
			hookMs: plain.a,
			ratio: plain.a / plain.b,
			withoutGeneratorMs: lazy.a,
			ratioWithoutGenerator: lazy.a / lazy.b,
			handlebarsAtStartup: loadsHandlebarsAtStartup(bin),
			runs,
		};
	} finally {
		rmSync(root, { recursive: true, force: true });
	}
}
