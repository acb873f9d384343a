import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The order test files start in (vitest runs them on 2 workers, each taking the next file as it frees): the long
// ones first, so that no long file starts last and runs alone. Which files are long is committed here (seconds on
// an idle 2-core machine, from `npx vitest run --reporter=json`), because a clean clone has no timing cache and
// vitest would fall back to file size. One real-Portage file goes first and a non-Portage file second: the first
// builds the shared prepared root (test/portage/prepared-root.ts) while the other worker computes instead of waiting
// for that root's lock. Files not listed follow in vitest's own order (its timing cache, else file size).
/** Heaviest first, then the order the two workers should start them in. */
const HEAVY_FILES = [
	'test/portage/flows.test.ts',
	'test/verify/verify-boot.test.ts',
	'test/portage/fleet.test.ts',
	'test/portage/guard-removal-triggers.test.ts',
	'test/portage/flows-upgrades.test.ts',
	'test/portage/recovery.test.ts',
	'test/portage/maintenance.test.ts',
	'test/portage/flows-gentoo-eclasses.test.ts',
	'test/faults/faults-smoke.test.ts',
	'test/verify/verify-pipeline.test.ts',
	'test/secureboot/verify-secureboot.test.ts',
	'test/lifecycle/triggers.test.ts',
	'test/runtime/pipeline.test.ts',
	'test/fleet/generic-image.test.ts',
	'test/lifecycle/e2e.test.ts',
	'test/portage/foreign-host.test.ts',
];

class HeavyFirstSequencer extends BaseSequencer {
	override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
		const rest = await super.sort(files);
		const rank = (spec: TestSpecification) => {
			const index = HEAVY_FILES.indexOf(relative(this.ctx.config.root, spec.moduleId));
			return index < 0 ? HEAVY_FILES.length : index;
		};
		// Array.prototype.sort is stable: unlisted files keep vitest's order
		return rest.sort((a, b) => rank(a) - rank(b));
	}
}

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
		// long files first, whatever the timing cache says (a clean clone has none)
		sequence: { sequencer: HeavyFirstSequencer },
	},
});
