import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [
		{
			// Same contract as esbuild's `loader: { '.hbs': 'text' }` in esbuild.config.mjs.
			name: 'hbs-as-text',
			transform(_code: string, id: string) {
				if (!id.endsWith('.hbs')) return null;
				return { code: `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`, map: null };
			},
		},
	],
	test: {
		environment: 'node',
		globalSetup: ['test/global-setup.ts'],
		include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
		// Real dracut runs take ~10 s each on 2 idle cores; end-to-end flows chain several, and the fault suite's
		// beforeAll runs for minutes. These are hang guards only, far above a loaded machine's times: a test must
		// never fail because the machine is slow.
		testTimeout: 1_800_000,
		hookTimeout: 1_800_000,
		maxWorkers: 2,
	},
});
