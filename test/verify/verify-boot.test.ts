// `dist-kernel verify KV` with real QEMU: the installed files of each layout (compat, bls, uki) booted against a
// generated test root, the guest's own record as the only proof of success; and a machine whose KVM guests hang (a
// stand-in QEMU first on PATH) is not mistaken for a bad image. The layout tests pin `verify-accel = tcg` (TCG_ONLY):
// their subject is the boot, not the accelerator, and under `auto` a host whose KVM cannot run Linux (nested
// virtualisation, this CI's) spends the 20 s KVM grace before each TCG boot. The choice itself (auto: KVM, then TCG
// when the guest stays silent; kvm: unavailable) is the last test's subject, on any host: its stand-in KVM never
// prints, so it sets verify-kvm-grace = 2 (the product's 20 s would only be waited out, twice).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import { installPlugins, type KernelRoot, MACHINE_ID } from '../runtime/kernel-root';
import { silentKvmPath, verifyRoot } from './verify-root';

let root: KernelRoot | undefined;
afterEach(() => root?.cleanup());

const ROOT_UUID = '3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21';
/** The accelerator is not these tests' subject (see the top of the file). */
const TCG_ONLY = 'verify-accel = tcg\n';

interface Record {
	result: string;
	accel?: string;
	accelReason?: string;
	kind: string;
	cmdline: string;
	files: string[];
	log: string;
	reason?: string;
	notes: string[];
}

async function verify(
	r: KernelRoot,
	kv: string,
	options: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; record: Record; stderr: string }> {
	const result = await runBin(['--root', r.root, 'verify', kv, '--json', ...(options.args ?? [])], {
		env: options.env ?? {},
	});
	return { code: result.code, record: JSON.parse(result.stdout) as Record, stderr: result.stderr };
}

describe('dist-kernel verify (real QEMU)', () => {
	it('compat layout: the installed vmlinuz + initramfs boot, mount an ext4 test root and run its init', async () => {
		root = await verifyRoot();
		const { kv } = root;
		root.write('/etc/dist-kernel/dist-kernel.conf', `install-backend = builtin\n${TCG_ONLY}`);
		expect((await runBin(['--root', root.root, 'install', kv])).code).toBe(0);
		const { code, record, stderr } = await verify(root, kv);
		expect(stderr).toContain(`boot of ${kv} verified`);
		expect(code).toBe(0);
		expect(record).toMatchObject({
			result: 'verified',
			kind: 'kernel',
			files: [`/boot/vmlinuz-${kv}`, `/boot/initramfs-${kv}.img`],
		});
		// No command line source in this root: the test disk's own UUID is used, and said so.
		expect(record.notes.join('\n')).toMatch(/no root= on the command line/);
		const log = readFileSync(root.path(record.log), 'utf8');
		expect(log).toContain(`dist-kernel verify ${kv}: verified`);
		expect(log).toContain('dist-kernel-verify: init running from the test root filesystem');
		const state = JSON.parse(readFileSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`), 'utf8')) as Record;
		expect(state.result).toBe('verified');
	});

	it("BLS layout: the entry's files and options boot (root=UUID= imitated); the same files with a broken command line fail", async () => {
		root = await verifyRoot();
		const { kv } = root;
		root.write('/etc/dist-kernel/dist-kernel.conf', TCG_ONLY);
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/etc/kernel/entry-token', 'gentoo\n');
		root.write('/etc/machine-id', `${MACHINE_ID}\n`);
		root.write('/etc/kernel/cmdline', `root=UUID=${ROOT_UUID} rw\n`);
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n# marks kernel-install as installed in this root\n', 0o755);
		installPlugins(root);
		expect(
			(await runBin(['--root', root.root, 'install', kv], { env: { DIST_KERNEL_RUNTIME: root.runtime } })).code,
		).toBe(0);
		const good = await verify(root, kv);
		expect(good.code).toBe(0);
		expect(good.record.result).toBe('verified');
		expect(good.record.files[0]).toMatch(new RegExp(`/boot/gentoo/${kv}/linux$`));
		expect(good.record.cmdline).toContain(`root=UUID=${ROOT_UUID}`);
		expect(good.record.notes).toEqual([]);

		// An admin's typo in the entry: ext4 refuses the mount option, the initramfs cannot mount the root.
		const entry = root.path(`/boot/loader/entries/gentoo-${kv}.conf`);
		writeFileSync(
			entry,
			readFileSync(entry, 'utf8').replace(/^options\s+(.*)$/m, 'options $1 rootflags=no_such_option'),
		);
		const bad = await verify(root, kv);
		expect(bad.code).toBe(1);
		expect(bad.record.result).toBe('failed');
		expect(bad.record.reason).toMatch(/never ran the test init/);
		expect(bad.stderr).toContain(`boot verification of ${kv} FAILED`);
		expect(bad.stderr).toContain(bad.record.log);
		expect(existsSync(root.path(bad.record.log))).toBe(true);
		const state = JSON.parse(readFileSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`), 'utf8')) as Record;
		expect(state.result).toBe('failed');
	});

	it('uki layout: EFI/Linux/<ID>-KV.efi booted under OVMF with its embedded command line; the test disk takes the UUID it names', async () => {
		root = await verifyRoot();
		const { kv } = root;
		root.write('/etc/dist-kernel/dist-kernel.conf', `install-backend = builtin\n${TCG_ONLY}`);
		root.write('/etc/os-release', 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n');
		root.write('/etc/kernel/install.conf', 'layout=uki\ninitrd_generator=dracut\nuki_generator=dracut\n');
		root.write('/etc/kernel/cmdline', `root=UUID=${ROOT_UUID} ro\n`);
		mkdirSync(root.path('/efi/EFI/BOOT'), { recursive: true });
		expect((await runBin(['--root', root.root, 'install', kv])).code).toBe(0);
		const { code, record } = await verify(root, kv);
		expect(code).toBe(0);
		expect(record).toMatchObject({ result: 'verified', kind: 'uki', files: [`/efi/EFI/Linux/gentoo-${kv}.efi`] });
		expect(record.cmdline).toContain(`root=UUID=${ROOT_UUID}`);
	});
});

describe('a machine whose KVM guests hang (stand-in QEMU)', () => {
	it('the KVM guest that prints nothing is retried under TCG and the report says so; with verify-accel = kvm the result is unavailable, never failed', async () => {
		root = await verifyRoot();
		const { kv } = root;
		root.write('/etc/dist-kernel/dist-kernel.conf', 'install-backend = builtin\nverify-kvm-grace = 2\n');
		expect((await runBin(['--root', root.root, 'install', kv])).code).toBe(0);
		// auto tries KVM only where the KVM device is usable: a stand-in node makes that true on any host, and the
		// stand-in QEMU never opens it (it hangs for KVM, and runs the real QEMU under TCG otherwise).
		root.write('/stand-in/kvm', '');
		const env = { PATH: silentKvmPath(root), DIST_KERNEL_KVM_DEVICE: root.path('/stand-in/kvm') };

		const retried = await verify(root, kv, { env });
		expect(retried.code).toBe(0);
		expect(retried.record).toMatchObject({ result: 'verified', accel: 'tcg' });
		expect(retried.record.accelReason).toBe('KVM: the guest printed nothing within 2 s under KVM; retried under TCG');
		expect(retried.stderr).toContain(
			'accelerator: tcg (KVM: the guest printed nothing within 2 s under KVM; retried under TCG)',
		);
		expect(readFileSync(root.path(retried.record.log), 'utf8')).toContain(
			'accelerator tcg (KVM: the guest printed nothing within 2 s under KVM; retried under TCG)',
		);

		const forced = await verify(root, kv, { env, args: ['--accel', 'kvm'] });
		expect(forced.code).toBe(77);
		expect(forced.record).toMatchObject({
			result: 'unavailable',
			accel: 'kvm',
			reason: 'the guest printed nothing within 2 s under KVM',
		});
		expect(forced.stderr).toContain(
			`boot verification of ${kv} could not run on this machine (this says nothing about the image)`,
		);
		const state = JSON.parse(readFileSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`), 'utf8')) as Record;
		expect(state.result).toBe('unavailable');
		const status = await runBin(['--root', root.root, 'status']);
		expect(status.stdout).toContain('not verified: this machine could not run the guest');
	});
});
