// `verify-boot = qemu` in the install pipeline, with real dracut and QEMU: an image that cannot mount the root
// (built without the root filesystem's module) is installed but kept from becoming the default, the admin hears
// it through the elog relay with the console log path, status/doctor show it; `install --force` is never blocked.
// A machine that cannot run the guest (its KVM guests hang) installs the kernel as the default, saying why.
// The first test pins `verify-accel = tcg`: its subject is the failed image, and under `auto` a host whose KVM cannot
// run Linux (nested virtualisation, this CI's) would spend the 20 s KVM grace first; auto's fallback is covered by
// test/verify/verify-boot.test.ts, and `kvm` on such a host by the second test here (verify-kvm-grace = 2: its
// stand-in KVM never prints, the product's 20 s would only be waited out).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import { installPlugins, type KernelRoot, MACHINE_ID } from '../runtime/kernel-root';
import { silentKvmPath, verifyDracutConf, verifyRoot } from './verify-root';

let root: KernelRoot | undefined;
afterEach(() => root?.cleanup());

const PREVIOUS = '6.1.0-1-amd64';

describe('install with verify-boot = qemu (real dracut and QEMU)', () => {
	it('an initramfs without ext4 fails verification: installed, marked bad, the previous entry stays the default; --force installs it as default', async () => {
		root = await verifyRoot('virtio_blk virtio_pci');
		const { kv } = root;
		root.write('/etc/dist-kernel/dist-kernel.conf', 'verify-boot = qemu\nverify-accel = tcg\n');
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/etc/kernel/entry-token', 'gentoo\n');
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		root.write('/etc/kernel/cmdline', 'root=UUID=3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21 rw\n');
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n# marks kernel-install as installed in this root\n', 0o755);
		installPlugins(root);
		// The kernel booted until now: its entry is what systemd-boot picks by default.
		root.write(
			`/boot/loader/entries/gentoo-${PREVIOUS}.conf`,
			`title Gentoo\nversion ${PREVIOUS}\nlinux /gentoo/${PREVIOUS}/linux\ninitrd /gentoo/${PREVIOUS}/initrd\noptions root=UUID=3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21 rw\n`,
		);
		root.write(`/boot/gentoo/${PREVIOUS}/linux`, 'previous kernel');
		root.write(`/boot/gentoo/${PREVIOUS}/initrd`, 'previous initramfs');
		const elog = root.path('/elog');
		const env = { DIST_KERNEL_RUNTIME: root.runtime, DIST_KERNEL_ELOG: elog };

		const result = await runBin(['--root', root.root, 'install', kv], { env });
		expect(result.code).toBe(0);
		expect(result.stderr).toContain(`Booting kernel and initramfs of ${kv} in QEMU`);
		const entries = readdirSync(root.path('/boot/loader/entries')).sort();
		// systemd-boot sorts an entry with no tries left (+0-1) after every good one and never makes it the default.
		expect(entries).toEqual([`gentoo-${PREVIOUS}.conf`, `gentoo-${kv}+0-1.conf`]);
		expect(existsSync(root.path(`/boot/gentoo/${kv}/linux`))).toBe(true);
		const state = JSON.parse(readFileSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`), 'utf8')) as {
			result: string;
			log: string;
			demoted: string[];
		};
		expect(state.result).toBe('failed');
		expect(state.demoted).toEqual([`/boot/loader/entries/gentoo-${kv}+0-1.conf`]);
		const console = readFileSync(root.path(state.log), 'utf8');
		expect(console).toContain(`dist-kernel verify ${kv}: failed`);
		// What emerge's elog summary gets through the eclass relay.
		const relayed = readFileSync(elog, 'utf8');
		expect(relayed).toContain(`WARN\tboot verification of ${kv} FAILED`);
		expect(relayed).toContain(`WARN\tconsole log: ${state.log}`);
		expect(relayed).toContain('the previous kernel stays the default');

		const status = JSON.parse((await runBin(['--root', root.root, 'status', '--json'])).stdout) as {
			kernels: Array<{ kv: string; verification: { state: string; log?: string } }>;
		};
		expect(status.kernels.find((k) => k.kv === kv)?.verification).toMatchObject({ state: 'failed', log: state.log });
		const doctor = await runBin(['--root', root.root, 'doctor']);
		expect(doctor.stdout).toMatch(new RegExp(`\\[verify.failed\\] boot verification of ${kv} failed`));

		// The admin fixes dracut's configuration and insists: no verification, the entry is a normal one again.
		root.write('/etc/dracut.conf.d/10-test.conf', verifyDracutConf());
		const forced = await runBin(['--root', root.root, 'install', '--force', kv], { env });
		expect(forced.code).toBe(0);
		expect(forced.stderr).not.toContain('Booting');
		expect(readdirSync(root.path('/boot/loader/entries')).sort()).toEqual([
			`gentoo-${PREVIOUS}.conf`,
			`gentoo-${kv}.conf`,
		]);
		expect(existsSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`))).toBe(false);
		expect((await runBin(['--root', root.root, 'status'])).stdout).toContain('boot verification: not verified');
	});

	it('a machine that cannot run the guest (verify-accel = kvm, KVM guests hang): installed as the default, unverified, elog says why', async () => {
		root = await verifyRoot();
		const { kv } = root;
		root.write('/etc/dist-kernel/dist-kernel.conf', 'verify-boot = qemu\nverify-accel = kvm\nverify-kvm-grace = 2\n');
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/etc/kernel/entry-token', 'gentoo\n');
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		root.write('/etc/kernel/cmdline', 'root=UUID=3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21 rw\n');
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n# marks kernel-install as installed in this root\n', 0o755);
		installPlugins(root);
		root.write(
			`/boot/loader/entries/gentoo-${PREVIOUS}.conf`,
			`title Gentoo\nversion ${PREVIOUS}\nlinux /gentoo/${PREVIOUS}/linux\noptions root=UUID=3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21 rw\n`,
		);
		root.write(`/boot/gentoo/${PREVIOUS}/linux`, 'previous kernel');
		const elog = root.path('/elog');
		root.write('/stand-in/kvm', '');
		const env = {
			DIST_KERNEL_RUNTIME: root.runtime,
			DIST_KERNEL_ELOG: elog,
			PATH: silentKvmPath(root),
			DIST_KERNEL_KVM_DEVICE: root.path('/stand-in/kvm'),
		};

		const result = await runBin(['--root', root.root, 'install', kv], { env });
		expect(result.code).toBe(0);
		// not demoted: the new kernel's entry is an ordinary one
		expect(readdirSync(root.path('/boot/loader/entries')).sort()).toEqual([
			`gentoo-${PREVIOUS}.conf`,
			`gentoo-${kv}.conf`,
		]);
		const state = JSON.parse(readFileSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`), 'utf8')) as {
			result: string;
			reason: string;
			demoted?: string[];
		};
		expect(state).toMatchObject({ result: 'unavailable', reason: 'the guest printed nothing within 2 s under KVM' });
		expect(state.demoted).toBeUndefined();
		const relayed = readFileSync(elog, 'utf8');
		expect(relayed).toContain(
			`WARN\tboot verification of ${kv} could not run on this machine: the guest printed nothing within 2 s under KVM`,
		);
		expect(relayed).toContain(
			`WARN\tthis says nothing about the image: ${kv} is installed unverified, as without verify-boot`,
		);
		expect(relayed).not.toContain('FAILED');
		const doctor = await runBin(['--root', root.root, 'doctor']);
		expect(doctor.stdout).toContain(`[verify.unavailable] the boot of ${kv} could not be verified on this machine`);
	});
});
