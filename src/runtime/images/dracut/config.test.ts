import { chmodSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { readDracutConfig } from './config';

let root: TempRoot;
afterEach(() => root.cleanup());

describe('readDracutConfig', () => {
	it('lets bash evaluate dracut.conf then conf.d in name order', async () => {
		root = makeTempRoot();
		root.write('/etc/dracut.conf', 'uefi=no\ncompress=xz\n');
		root.write(
			'/etc/dracut.conf.d/20-uki.conf',
			'# computed, not a literal\n[[ -n yes ]] && uefi="y""es"\nkernel_cmdline="root=UUID=1234 rw"\n',
		);
		root.write('/etc/dracut.conf.d/10-first.conf', 'uefi=maybe\ncompress=gzip\n');
		root.write('/etc/dracut.conf.d/README', 'uefi=no # not a .conf file\n');
		const config = await readDracutConfig(runtimeContext(root.root));
		expect(config.uefi).toBe(true);
		expect(config.compress).toBe('gzip');
		expect(config.kernelCmdline).toBe('root=UUID=1234 rw');
		expect(config.files.map((f) => f.slice(root.root.length))).toEqual([
			'/etc/dracut.conf',
			'/etc/dracut.conf.d/10-first.conf',
			'/etc/dracut.conf.d/20-uki.conf',
		]);
	});

	it('reports defaults when no configuration exists', async () => {
		root = makeTempRoot();
		const config = await readDracutConfig(runtimeContext(root.root));
		expect(config).toMatchObject({ uefi: false, uefiStub: undefined, secureBootCert: undefined, files: [] });
	});

	it('refuses a world-writable drop-in before sourcing it', async () => {
		root = makeTempRoot();
		const file = root.write('/etc/dracut.conf.d/50-evil.conf', 'touch /tmp/should-not-run\n');
		chmodSync(file, 0o646);
		await expect(readDracutConfig(runtimeContext(root.root))).rejects.toMatchObject({
			code: 'trust.unsafe',
			message: expect.stringContaining('/etc/dracut.conf.d/50-evil.conf is writable by every user (mode 0646)'),
		});
	});
});
