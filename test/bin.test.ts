import { describe, expect, it } from 'vitest';
import { runBin } from './helpers/bin';

describe('the bundled program', () => {
	it('prints help and exits 0', async () => {
		const result = await runBin(['--help']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('Usage: dist-kernel');
	});
	it('exits 2 on an unknown command', async () => {
		const result = await runBin(['no-such-command']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain("unknown command 'no-such-command'");
	});
});
