import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../lib/log';
import { parsePmsVersion } from '../parsers/pms-version';
import { planVirtuals, providersFor, stripPatchSuffix } from './plan-virtuals';
import type { KernelEbuild } from './scan-kernels';

function ebuild(pkg: string, version: string, keywords?: string[], repository = 'gentoo'): KernelEbuild {
	const parsed = parsePmsVersion(version)!;
	return { package: pkg, version: parsed, pv: version.replace(/-r[0-9]+$/, ''), repository, keywords };
}

describe('stripPatchSuffix', () => {
	const versions = ['6.12.5', '6.12.5_p1', '6.12.5_p', '6.1_pre2', '6.1_rc1_p3', '6.1_p1_p2', '6.14_rc2', '1_alpha_p'];
	it('does what bash does with ${PV%_p*}', () => {
		const script = 'for v in "$@"; do printf "%s\\n" "${v%_p*}"; done';
		const fromBash = execFileSync('bash', ['-c', script, 'bash', ...versions], { encoding: 'utf8' })
			.split('\n')
			.slice(0, -1);
		expect(versions.map(stripPatchSuffix)).toEqual(fromBash);
	});
});

describe('planVirtuals', () => {
	const providers = providersFor([
		'sys-kernel/gentoo-kernel',
		'sys-kernel/gentoo-kernel-bin',
		'sys-kernel/vanilla-kernel',
	]);

	it('only vanilla-kernel strips patch releases', () => {
		expect(providers.map((p) => p.stripPatch)).toEqual([false, false, true]);
	});

	it('sorts per PMS, merges revisions into one PV, and takes keywords from every matching provider', () => {
		const logger = createMemoryLogger();
		const plan = planVirtuals(
			[
				ebuild('sys-kernel/gentoo-kernel', '6.12.10', ['~amd64']),
				ebuild('sys-kernel/gentoo-kernel', '6.12.5_p1', ['~amd64']),
				ebuild('sys-kernel/gentoo-kernel', '6.12.5_p1-r1', ['amd64']),
				ebuild('sys-kernel/vanilla-kernel', '6.12.5', ['~riscv'], 'other'),
				ebuild('sys-kernel/gentoo-kernel', '6.12.9', ['~arm64']),
			],
			providers,
			logger,
		);
		expect(plan.map((v) => v.version.text)).toEqual(['6.12.5', '6.12.5_p1', '6.12.9', '6.12.10']);
		expect(plan[1]).toMatchObject({ keywords: ['amd64', '~riscv'], sources: ['gentoo', 'other'] });
		expect(plan[0]).toMatchObject({ keywords: ['~riscv'], sources: ['other'] });
		expect(logger.lines).toEqual([]);
	});

	it('one virtual for versions that compare equal', () => {
		const logger = createMemoryLogger();
		const plan = planVirtuals(
			[
				ebuild('sys-kernel/gentoo-kernel', '6.1.0', ['amd64']),
				ebuild('sys-kernel/gentoo-kernel-bin', '6.1.00', ['amd64']),
			],
			providers,
			logger,
		);
		expect(plan.map((v) => v.version.text)).toEqual(['6.1.0']);
		expect(logger.lines.join('\n')).toMatch(/6\.1\.00 equals another version/);
	});
});
