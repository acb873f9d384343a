import { describe, expect, it } from 'vitest';
import { keywordsFromCacheEntry, keywordsFromEbuild, mergeKeywords } from './ebuild-keywords';

describe('keywords', () => {
	it('reads the md5-cache line', () => {
		expect(keywordsFromCacheEntry('EAPI=8\nKEYWORDS=amd64 ~arm64\nSLOT=0\n')).toEqual(['amd64', '~arm64']);
		expect(keywordsFromCacheEntry('EAPI=8\n')).toBeUndefined();
	});

	it('reads a literal one-line assignment and nothing that needs bash', () => {
		expect(keywordsFromEbuild('EAPI=8\nKEYWORDS="amd64 ~x86"\n')).toEqual(['amd64', '~x86']);
		expect(keywordsFromEbuild('KEYWORDS=""\n')).toEqual([]);
		expect(keywordsFromEbuild('\tKEYWORDS="${KW}"\n')).toBeUndefined();
		expect(keywordsFromEbuild('KEYWORDS="$(reboot)"\n')).toBeUndefined();
		expect(keywordsFromEbuild('KEYWORDS="amd64;reboot"\n')).toBeUndefined();
		expect(keywordsFromEbuild('EAPI=8\n')).toBeUndefined();
	});

	it('merges providers: stable wins, negatives dropped, prefix arches last', () => {
		expect(mergeKeywords([['~amd64', 'x86', '-ppc'], ['amd64', '~arm64', '~amd64-linux'], ['-*']])).toEqual([
			'amd64',
			'~arm64',
			'x86',
			'~amd64-linux',
		]);
	});
});
