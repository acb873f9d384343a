import { describe, expect, it } from 'vitest';
import { planClean } from './plan-clean';

const kernels = [
	{ kv: '6.12.7-gentoo-dist', installedAt: 100 },
	{ kv: '6.12.9-gentoo-dist', installedAt: 300 },
	{ kv: '6.12.8-gentoo-dist', installedAt: 200 },
	{ kv: '6.6.60-gentoo-dist', installedAt: 50 },
];

describe('planClean', () => {
	it('keeps the newest N by install time and removes the rest', () => {
		expect(planClean(kernels, { keep: 2 })).toEqual({
			keep: [
				{ kv: '6.12.9-gentoo-dist', reasons: ['newest'] },
				{ kv: '6.12.8-gentoo-dist', reasons: ['newest'] },
			],
			remove: ['6.12.7-gentoo-dist', '6.6.60-gentoo-dist'],
		});
	});

	it('never removes the running kernel nor the default entry, even beyond N', () => {
		const plan = planClean(kernels, { keep: 1, running: '6.6.60-gentoo-dist', defaultEntries: ['6.12.7-gentoo-dist'] });
		expect(plan.remove).toEqual(['6.12.8-gentoo-dist']);
		expect(plan.keep).toContainEqual({ kv: '6.6.60-gentoo-dist', reasons: ['running'] });
		expect(plan.keep).toContainEqual({ kv: '6.12.7-gentoo-dist', reasons: ['default boot entry'] });
	});

	it('keeps the default of every boot loader', () => {
		expect(
			planClean(kernels, { keep: 1, defaultEntries: ['6.12.7-gentoo-dist', '6.6.60-gentoo-dist'] }).remove,
		).toEqual(['6.12.8-gentoo-dist']);
	});

	it('goes by install time, not version: a downgrade installed last is the newest', () => {
		expect(
			planClean(
				[
					{ kv: '6.12.9', installedAt: 1 },
					{ kv: '6.6.1', installedAt: 2 },
				],
				{ keep: 1 },
			).remove,
		).toEqual(['6.12.9']);
	});

	it('removes nothing when there are no more than N kernels', () => {
		expect(planClean(kernels.slice(0, 2), { keep: 2 }).remove).toEqual([]);
	});
});
