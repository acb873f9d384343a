import { describe, expect, it } from 'vitest';
import { GENERIC_ZSTD, genericCompressor, genericDracutArgs } from './build-generic-image';

describe('the compressor of a generic image', () => {
	it("zstd when the package kernel unpacks it, else dracut's own choice (no --compress)", () => {
		expect(genericCompressor('CONFIG_RD_GZIP=y\nCONFIG_RD_ZSTD=y\n')).toBe(GENERIC_ZSTD);
		expect(genericCompressor('CONFIG_RD_GZIP=y\n# CONFIG_RD_ZSTD is not set\n')).toBeUndefined();
		expect(genericCompressor('CONFIG_RD_ZSTD=m\n')).toBeUndefined();
		expect(genericCompressor(undefined)).toBeUndefined();
		const options = {
			kv: '6.1.0-1-amd64',
			modulesDir: '/ed/lib/modules/6.1.0-1-amd64',
			conf: '/t/empty.conf',
			confDir: '/t/empty.conf.d',
			tmpDir: '/t',
			verbose: false,
			modules: [],
		};
		const zstd = genericDracutArgs({ ...options, compress: GENERIC_ZSTD }, '/t/initrd');
		expect(zstd.slice(zstd.indexOf('--compress'), zstd.indexOf('--compress') + 2)).toEqual(['--compress', 'zstd -q']);
		expect(genericDracutArgs(options, '/t/initrd')).not.toContain('--compress');
	});
});
