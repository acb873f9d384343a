import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

describe('dist-kernel remove', () => {
	let temp: TempRoot;
	beforeEach(() => {
		temp = makeTempRoot();
		for (const name of [
			'vmlinuz-6.1.0-7-test',
			'initramfs-6.1.0-7-test.img',
			'config-6.1.0-7-test',
			'System.map-6.1.0-7-test',
		])
			temp.write(`/boot/${name}`, name);
	});
	afterEach(() => temp.cleanup());

	it("refuses the running kernel's boot files without --force and leaves them in place", async () => {
		const env = { DIST_KERNEL_RUNNING_KV: '6.1.0-7-test' };
		const refused = await runBin(['--root', temp.root, 'remove', '6.1.0-7-test'], { env });
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('refusing to remove the boot files of the running kernel: 6.1.0-7-test');
		expect(refused.stderr).toContain('--force');
		expect(existsSync(temp.path('/boot/vmlinuz-6.1.0-7-test'))).toBe(true);

		const forced = await runBin(['--root', temp.root, 'remove', '--force', '6.1.0-7-test'], { env });
		expect(forced.code).toBe(0);
		expect(existsSync(temp.path('/boot/vmlinuz-6.1.0-7-test'))).toBe(false);
		expect(existsSync(temp.path('/boot/initramfs-6.1.0-7-test.img'))).toBe(false);
	});

	it('removes another kernel without asking', async () => {
		const result = await runBin(['--root', temp.root, 'remove', '6.1.0-7-test'], {
			env: { DIST_KERNEL_RUNNING_KV: '6.6.0-1-test' },
		});
		expect(result.code).toBe(0);
		expect(existsSync(temp.path('/boot/config-6.1.0-7-test'))).toBe(false);
	});
});
