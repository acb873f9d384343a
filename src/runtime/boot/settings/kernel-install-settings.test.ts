import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { kernelInstallEnv } from '../backends/kernel-install';
import { chooseBackend } from '../backends/select';
import { kernelInstallConfigured, readKernelInstallSettings } from './kernel-install-settings';

let root: TempRoot;
afterEach(() => root.cleanup());
const MACHINE_ID = '0123456789abcdef0123456789abcdef';

describe('readKernelInstallSettings', () => {
	it('follows install.conf, entry-token and the machine id under the root', async () => {
		root = makeTempRoot();
		root.write('/etc/kernel/install.conf', 'layout=bls\ninitrd_generator=dist-kernel\nBOOT_ROOT=/efi\n');
		root.write('/etc/kernel/entry-token', 'gentoo\n');
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		root.write('/usr/lib/kernel/install.d/50-dist-kernel.install', '#!/bin/sh\n', 0o755);
		root.write('/etc/kernel/install.d/50-dist-kernel.install', '#!/bin/sh\n# admin copy\n', 0o755);
		root.write('/usr/lib/kernel/install.d/90-loaderentry.install', '#!/bin/sh\n', 0o755);
		root.write('/usr/lib/kernel/install.d/10-masked.install', '', 0o755);
		const settings = await readKernelInstallSettings(runtimeContext(root.root));
		expect(settings).toMatchObject({ layout: 'bls', bootRoot: '/efi', entryToken: 'gentoo', machineId: MACHINE_ID });
		expect(settings.conf.initrdGenerator).toBe('dist-kernel');
		expect(settings.plugins.map((p) => p.slice(root.root.length))).toEqual([
			'/etc/kernel/install.d/50-dist-kernel.install',
			'/usr/lib/kernel/install.d/90-loaderentry.install',
		]);
		expect(kernelInstallConfigured(settings)).toBe(true);
	});

	it('detects BOOT_ROOT and a BLS layout from an existing entry-token directory', async () => {
		root = makeTempRoot();
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		root.write('/etc/os-release', 'ID=gentoo\n');
		mkdirSync(root.path('/boot/gentoo'), { recursive: true });
		const settings = await readKernelInstallSettings(runtimeContext(root.root));
		expect(settings).toMatchObject({ bootRoot: '/boot', entryToken: 'gentoo', layout: 'bls' });
	});

	it('falls back to /boot, the machine id and layout other', async () => {
		root = makeTempRoot();
		root.write('/etc/machine-id', 'uninitialized\n');
		const settings = await readKernelInstallSettings(runtimeContext(root.root));
		expect(settings).toMatchObject({ bootRoot: '/boot', entryToken: 'Default', layout: 'other', machineId: undefined });
		expect(kernelInstallConfigured(settings)).toBe(false);
	});

	it("systemd's shipped install.conf with every line commented out does not count as configured", async () => {
		root = makeTempRoot();
		root.write(
			'/usr/lib/kernel/install.conf',
			'# See kernel-install(8) for details.\n\n#layout=bls|other|...\n#initrd_generator=dracut|...\n',
		);
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n', 0o755);
		const settings = await readKernelInstallSettings(runtimeContext(root.root));
		expect(settings.layout).toBe('other');
		expect(kernelInstallConfigured(settings)).toBe(false);
		expect((await chooseBackend(runtimeContext(root.root))).name).toBe('builtin');
	});
});

describe('chooseBackend', () => {
	it('picks kernel-install only when configured, installkernel for a hook dir, else built-in', async () => {
		root = makeTempRoot();
		expect((await chooseBackend(runtimeContext(root.root))).name).toBe('builtin');
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n', 0o755);
		expect((await chooseBackend(runtimeContext(root.root))).name).toBe('builtin');
		root.write('/etc/kernel/postinst.d/zz-grub', '#!/bin/sh\n', 0o755);
		expect(await chooseBackend(runtimeContext(root.root))).toEqual({
			name: 'installkernel',
			reason: '/etc/kernel/postinst.d has hooks',
		});
		root.write('/etc/kernel/install.conf', 'layout=compat\n');
		expect((await chooseBackend(runtimeContext(root.root))).name).toBe('kernel-install');
		expect((await chooseBackend(runtimeContext(root.root, { config: { installBackend: 'builtin' } }))).name).toBe(
			'builtin',
		);
	});
});

describe('kernelInstallEnv', () => {
	it("points kernel-install at the root's plugins, without systemd's 50-depmod, which would run depmod on this machine", async () => {
		root = makeTempRoot();
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		for (const name of ['50-depmod.install', '50-dist-kernel.install', '90-loaderentry.install'])
			root.write(`/usr/lib/kernel/install.d/${name}`, '#!/bin/sh\n', 0o755);
		const ctx = runtimeContext(root.root);
		const env = kernelInstallEnv(ctx, await readKernelInstallSettings(ctx), root.path('/boot'));
		expect(env['KERNEL_INSTALL_PLUGINS']?.split(' ').map((p) => p.slice(root.root.length))).toEqual([
			'/usr/lib/kernel/install.d/50-dist-kernel.install',
			'/usr/lib/kernel/install.d/90-loaderentry.install',
		]);
		expect(env['KERNEL_INSTALL_CONF_ROOT']).toBe(root.path('/etc/kernel'));
	});
});
