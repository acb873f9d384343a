// The whole install pipeline with real tools: the Debian kernel, real dracut, real systemd kernel-install with our
// plugin, an installkernel-style hook directory, the built-in backend. Each test's image is real dracut's, shared
// by the tests whose dracut input is the same (test/helpers/dracut-cache.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/lib/lock';
import { findSection, readPeSections } from '../../src/parsers/pe-sections';
import { runBin } from '../helpers/bin';
import { useCachingDracut } from '../helpers/dracut-cache';
import { installPlugins, type KernelRoot, kernelRoot, MACHINE_ID } from './kernel-root';

let root: KernelRoot | undefined;
afterEach(() => root?.cleanup());
beforeAll(useCachingDracut);

function lsinitrd(file: string): string {
	return execFileSync('lsinitrd', [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function mode(path: string): number {
	return statSync(path).mode & 0o777;
}

describe('dist-kernel install (real dracut)', () => {
	it('built-in backend: waits for the lock, then installs the kernel and an initramfs built for the target KV', async () => {
		root = await kernelRoot();
		const { kv } = root;
		const lock = await acquireLock(root.path('/run/lock/dist-kernel.lock'));
		let sawWaiting!: () => void;
		const waiting = new Promise<void>((resolve) => (sawWaiting = resolve));
		const running = runBin(['--root', root.root, 'install', kv, '--package', `sys-kernel/gentoo-kernel-bin-6.1.0`], {
			onStderr: (soFar) => soFar.includes('waiting for another dist-kernel run') && sawWaiting(),
		});
		await Promise.race([
			waiting,
			running.then((r) => Promise.reject(new Error(`finished without waiting for the lock: ${r.stderr}`))),
		]);
		// Still waiting: nothing built or written while another run holds the lock.
		expect(existsSync(root.path('/boot'))).toBe(false);
		lock.release();
		const result = await running;
		expect(result.stderr).toContain('waiting for another dist-kernel run');
		expect(result.code).toBe(0);
		expect(readdirSync(root.path('/boot')).sort()).toEqual([
			`System.map-${kv}`,
			`config-${kv}`,
			`initramfs-${kv}.img`,
			`vmlinuz-${kv}`,
		]);
		expect(readFileSync(root.path(`/boot/vmlinuz-${kv}`)).equals(readFileSync(root.kernel.vmlinuz))).toBe(true);
		for (const name of readdirSync(root.path('/boot'))) expect(mode(root.path(`/boot/${name}`))).toBe(0o644);
		const listing = lsinitrd(root.path(`/boot/initramfs-${kv}.img`));
		expect(listing).toMatch(new RegExp(`lib/modules/${kv}/kernel/drivers/block/virtio_blk\\.ko`));
		expect(result.stderr).toMatch(/Building initramfs for .* with dracut: ok \([0-9.]+ s\)/);
		expect(result.stderr).toMatch(/installed with builtin in [0-9.]+ s/);
		expect(readdirSync(root.path('/boot')).filter((n) => n.startsWith('.'))).toEqual([]);
	});

	it('uefi=yes: a signed UKI in place of the kernel with the /etc/kernel/cmdline line, and an empty initramfs', async () => {
		root = await kernelRoot();
		const { kv } = root;
		root.write(
			'/etc/dracut.conf.d/20-uki.conf',
			'uefi="yes"\nuefi_secureboot_cert="/etc/keys/db.crt"\nuefi_secureboot_key="/etc/keys/db.key"\nkernel_cmdline="root=/dev/from-dracut"\n',
		);
		root.write('/etc/kernel/cmdline', 'root=UUID=0a1b2c3d rw quiet\n');
		mkdirSync(root.path('/etc/keys'), { recursive: true, mode: 0o700 });
		execFileSync(
			'openssl',
			[
				'req',
				'-new',
				'-x509',
				'-newkey',
				'rsa:2048',
				'-nodes',
				'-days',
				'1',
				'-subj',
				'/CN=dist-kernel test db/',
				'-keyout',
				root.path('/etc/keys/db.key'),
				'-out',
				root.path('/etc/keys/db.crt'),
			],
			{ stdio: 'ignore' },
		);
		chmodSync(root.path('/etc/keys/db.key'), 0o600);
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.stderr).toContain('Signing the unified kernel image');
		expect(result.code).toBe(0);
		const uki = readFileSync(root.path(`/boot/vmlinuz-${kv}`));
		expect(readPeSections(uki).map((s) => s.name)).toEqual(
			expect.arrayContaining(['.linux', '.initrd', '.cmdline', '.osrel']),
		);
		expect(findSection(uki, '.linux')!.equals(readFileSync(root.kernel.vmlinuz))).toBe(true);
		expect(findSection(uki, '.cmdline')!.toString('utf8').replace(/\0+$/, '').trim()).toBe(
			'root=UUID=0a1b2c3d rw quiet',
		);
		expect(findSection(uki, '.osrel')!.toString('utf8')).toMatch(/^ID=/m);
		expect(findSection(uki, '.initrd')!.length).toBeGreaterThan(1024 * 1024);
		expect(statSync(root.path(`/boot/initramfs-${kv}.img`)).size).toBe(0);
		execFileSync('sbverify', ['--cert', root.path('/etc/keys/db.crt'), root.path(`/boot/vmlinuz-${kv}`)], {
			stdio: 'pipe',
		});
		expect(mode(root.path(`/boot/vmlinuz-${kv}`))).toBe(0o644);
	});

	it('kernel-install backend: our pipeline runs real kernel-install (layout=bls) with our plugin staying out of the way', async () => {
		root = await kernelRoot();
		const { kv } = root;
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/etc/kernel/entry-token', 'gentoo\n');
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		root.write('/etc/kernel/cmdline', 'root=/dev/vda1\n');
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n# marks kernel-install as installed in this root\n', 0o755);
		installPlugins(root);
		const result = await runBin(['--root', root.root, 'install', kv], { env: { DIST_KERNEL_RUNTIME: root.runtime } });
		expect(result.stderr).toContain(`Installing kernel ${kv} (kernel-install)`);
		expect(result.code).toBe(0);
		const entryDir = root.path(`/boot/gentoo/${kv}`);
		expect(readdirSync(entryDir).sort()).toEqual(['initrd', 'linux']);
		expect(readFileSync(join(entryDir, 'linux')).equals(readFileSync(root.kernel.vmlinuz))).toBe(true);
		expect(lsinitrd(join(entryDir, 'initrd'))).toContain(`lib/modules/${kv}/`);
		const entry = readFileSync(root.path(`/boot/loader/entries/gentoo-${kv}.conf`), 'utf8');
		// systemd 252 writes paths relative to the mount point holding BOOT_ROOT (here "/", as the root is a plain directory).
		expect(entry).toMatch(new RegExp(`^linux\\s+\\S*/boot/gentoo/${kv}/linux$`, 'm'));
		expect(entry).toMatch(new RegExp(`^initrd\\s+\\S*/boot/gentoo/${kv}/initrd$`, 'm'));
		// Removal goes through kernel-install too.
		const removed = await runBin(['--root', root.root, 'remove', kv], { env: { DIST_KERNEL_RUNTIME: root.runtime } });
		expect(removed.code).toBe(0);
		expect(existsSync(entryDir)).toBe(false);
		expect(existsSync(root.path(`/boot/loader/entries/gentoo-${kv}.conf`))).toBe(false);
	});

	it('kernel-install backend with uefi=yes: the UKI goes in as the kernel, with the empty initramfs', async () => {
		root = await kernelRoot();
		const { kv } = root;
		root.write('/etc/dracut.conf.d/20-uki.conf', 'uefi=yes\n');
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/etc/kernel/entry-token', 'gentoo\n');
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		root.write('/etc/kernel/cmdline', 'root=LABEL=gentoo\n');
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n# marks kernel-install as installed in this root\n', 0o755);
		installPlugins(root);
		const result = await runBin(['--root', root.root, 'install', kv], { env: { DIST_KERNEL_RUNTIME: root.runtime } });
		expect(result.stderr).toContain(`Installing unified kernel image ${kv} (kernel-install)`);
		expect(result.code).toBe(0);
		const entryDir = root.path(`/boot/gentoo/${kv}`);
		const uki = readFileSync(join(entryDir, 'linux'));
		expect(findSection(uki, '.linux')!.equals(readFileSync(root.kernel.vmlinuz))).toBe(true);
		expect(findSection(uki, '.cmdline')!.toString('utf8').replace(/\0+$/, '').trim()).toBe('root=LABEL=gentoo');
		const initrds = readdirSync(entryDir).filter((n) => n !== 'linux');
		expect(initrds).toHaveLength(1);
		expect(statSync(join(entryDir, initrds[0]!)).size).toBe(0);
	});

	it('kernel-install run by the admin: our plugin builds the initrd into the staging area, quietly', async () => {
		root = await kernelRoot();
		const { kv } = root;
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/etc/kernel/cmdline', 'root=/dev/vda1\n');
		const plugins = installPlugins(root);
		mkdirSync(root.path(`/boot/${MACHINE_ID}`), { recursive: true });
		const result = await new Promise<{ code: number; out: string }>((resolvePromise) => {
			try {
				const out = execFileSync('kernel-install', ['add', kv, root!.path(`/lib/modules/${kv}/vmlinuz`)], {
					encoding: 'utf8',
					stdio: ['ignore', 'pipe', 'pipe'],
					env: {
						...process.env,
						NO_COLOR: '1',
						KERNEL_INSTALL_CONF_ROOT: root!.path('/etc/kernel'),
						BOOT_ROOT: root!.path('/boot'),
						MACHINE_ID,
						KERNEL_INSTALL_PLUGINS: plugins.join(' '),
						DIST_KERNEL_RUNTIME: root!.runtime,
					},
				});
				resolvePromise({ code: 0, out });
			} catch (error) {
				const e = error as { status: number; stdout: string; stderr: string };
				resolvePromise({ code: e.status, out: `${e.stdout}${e.stderr}` });
			}
		});
		expect(result.out).not.toContain('Building initramfs');
		expect(result.code).toBe(0);
		const initrd = root.path(`/boot/${MACHINE_ID}/${kv}/initrd`);
		expect(lsinitrd(initrd)).toMatch(new RegExp(`lib/modules/${kv}/kernel/drivers/block/virtio_blk\\.ko`));
		expect(readFileSync(root.path(`/boot/loader/entries/${MACHINE_ID}-${kv}.conf`), 'utf8')).toMatch(
			new RegExp(`^initrd\\s+\\S*/boot/${MACHINE_ID}/${kv}/initrd$`, 'm'),
		);
	});

	it('installkernel backend: classic files, then the postinst.d hooks with KV and the installed image', async () => {
		root = await kernelRoot();
		const { kv } = root;
		const log = root.path('/hook.log');
		root.write(
			'/etc/kernel/postinst.d/50-record',
			`#!/bin/bash\n[[ -s "\${2%/*}/initramfs-$1.img" ]] || exit 1\necho "$@" >> '${log}'\n`,
			0o755,
		);
		root.write('/etc/kernel/postinst.d/60-stop', '#!/bin/bash\nexit 77\n', 0o755);
		root.write('/etc/kernel/postinst.d/70-not-reached', `#!/bin/bash\necho reached >> '${log}'\n`, 0o755);
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.stderr).toContain(`Installing kernel ${kv} (installkernel)`);
		expect(result.code).toBe(0);
		expect(readFileSync(log, 'utf8')).toBe(`${kv} ${root.path(`/boot/vmlinuz-${kv}`)}\n`);
		expect(readdirSync(root.path('/boot')).sort()).toEqual([
			`System.map-${kv}`,
			`config-${kv}`,
			`initramfs-${kv}.img`,
			`vmlinuz-${kv}`,
		]);
	});

	it('a failing dracut (bad configuration) leaves the installed files identical', async () => {
		root = await kernelRoot();
		const { kv } = root;
		root.write(`/boot/vmlinuz-${kv}`, 'previous kernel');
		root.write(`/boot/initramfs-${kv}.img`, 'previous initramfs');
		root.write('/etc/dracut.conf.d/30-broken.conf', 'dracutmodules+=" no-such-dracut-module "\n');
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`dracut failed for kernel ${kv}`);
		expect(result.stderr).toContain('no-such-dracut-module');
		expect(result.stderr).toContain('the installed files were not changed');
		expect(readFileSync(root.path(`/boot/vmlinuz-${kv}`), 'utf8')).toBe('previous kernel');
		expect(readFileSync(root.path(`/boot/initramfs-${kv}.img`), 'utf8')).toBe('previous initramfs');
		expect(readdirSync(root.path('/boot')).sort()).toEqual([`initramfs-${kv}.img`, `vmlinuz-${kv}`]);
	});
});
