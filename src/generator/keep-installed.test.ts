import { describe, expect, it } from 'vitest';
import { parsePmsVersion } from '../parsers/pms-version';
import { keepInstalledVirtuals } from './keep-installed';

const planned = (text: string, keywords: string[]) => ({
	version: parsePmsVersion(text)!,
	keywords,
	sources: ['gentoo'],
});

describe('keepInstalledVirtuals', () => {
	it('adds a virtual for an installed version no repository offers, in version order', () => {
		const out = keepInstalledVirtuals(
			[planned('6.12.9', ['amd64', '~arm64']), planned('6.12.10', ['~amd64'])],
			['6.12.7'],
		);
		expect(out.map((v) => v.version.text)).toEqual(['6.12.7', '6.12.9', '6.12.10']);
		expect(out[0]).toEqual({ version: parsePmsVersion('6.12.7'), keywords: ['amd64', '~arm64'], sources: [] });
	});

	it('leaves versions that are still offered alone', () => {
		const out = keepInstalledVirtuals([planned('6.12.9', ['amd64'])], ['6.12.9']);
		expect(out).toEqual([planned('6.12.9', ['amd64'])]);
	});

	it('falls back to testing keywords when nothing else is known', () => {
		expect(keepInstalledVirtuals([], ['6.1.0'])[0]?.keywords).toEqual(['~amd64', '~arm64']);
	});
});
