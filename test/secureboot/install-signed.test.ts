// Secure Boot through the real install pipeline: the Debian kernel, real dracut, real sbsign/sbverify, keys made
// per test with openssl in each of the places key discovery looks (sbctl's store made by hand: sbctl is not
// packaged on Debian 12), and SecureBoot/SetupMode efivars under the root.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EFI_GLOBAL_VARIABLE } from '../../src/parsers/efi-variable';
import { findSection } from '../../src/parsers/pe-sections';
import { countSignatures } from '../../src/parsers/sbverify-list';
import { installKernel } from '../../src/runtime/features/install/install-kernel';
import { runBin } from '../helpers/bin';
import { useCachingDracut } from '../helpers/dracut-cache';
import { KV, type LayoutRoot, layoutContext, layoutRoot, MACHINE_ID } from '../layouts/layout-root';
import { type KernelRoot, kernelRoot } from '../runtime/kernel-root';
import { efiBooleanFile, makeKeyPair } from './keys';

const STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

// dracut's images shared with the other files' roots of the same input (test/helpers/dracut-cache.ts)
beforeAll(useCachingDracut);
let root: KernelRoot | undefined;
let layout: LayoutRoot | undefined;
afterEach(() => {
	root?.cleanup();
	layout?.cleanup();
	root = undefined;
	layout = undefined;
});

function secureBootOn(r: { path(p: string): string }): void {
	mkdirSync(r.path('/sys/firmware/efi/efivars'), { recursive: true });
	writeFileSync(r.path(`/sys/firmware/efi/efivars/SecureBoot-${EFI_GLOBAL_VARIABLE}`), efiBooleanFile(true));
	writeFileSync(r.path(`/sys/firmware/efi/efivars/SetupMode-${EFI_GLOBAL_VARIABLE}`), efiBooleanFile(false));
}

function signatures(path: string): number {
	return countSignatures(
		execFileSync('sbverify', ['--list', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	);
}

function verifies(cert: string, path: string): boolean {
	try {
		execFileSync('sbverify', ['--cert', cert, path], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

describe('Secure Boot signing in the install pipeline (real dracut, real sbsign)', () => {
	it("make.conf's SECUREBOOT_SIGN_KEY: the UKI is signed once with it; status and doctor say so", async () => {
		root = await kernelRoot('dk-sb-');
		const { kv } = root;
		secureBootOn(root);
		makeKeyPair(
			root.path('/etc/portage/secureboot/db.key'),
			root.path('/etc/portage/secureboot/db.pem'),
			'gentoo make.conf key',
		);
		// sbctl's key is there too, but make.conf comes first.
		makeKeyPair(root.path('/var/lib/sbctl/keys/db/db.key'), root.path('/var/lib/sbctl/keys/db/db.pem'), 'sbctl key');
		root.write(
			'/etc/portage/make.conf',
			'SECUREBOOT_SIGN_KEY="/etc/portage/secureboot/db.key"\nSECUREBOOT_SIGN_CERT="/etc/portage/secureboot/db.pem"\n',
		);
		root.write('/etc/dracut.conf.d/20-uki.conf', 'uefi="yes"\n');
		root.write('/etc/kernel/cmdline', 'root=/dev/vda rw\n');
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain(`Signing the unified kernel image for ${kv} (sbsign): ok`);
		const uki = root.path(`/boot/vmlinuz-${kv}`);
		expect(findSection(readFileSync(uki), '.linux')).toBeDefined();
		expect(signatures(uki)).toBe(1);
		expect(verifies(root.path('/etc/portage/secureboot/db.pem'), uki)).toBe(true);
		expect(verifies(root.path('/var/lib/sbctl/keys/db/db.pem'), uki)).toBe(false);
		const status = await runBin(['--root', root.root, 'status', '--running', kv]);
		expect(status.stdout).toContain('Secure Boot: enabled');
		expect(status.stdout).toContain(
			'signing key: /etc/portage/secureboot/db.key, certificate /etc/portage/secureboot/db.pem (from /etc/portage/make.conf)',
		);
		expect(status.stdout).toContain('signs: unified kernel images');
		const doctor = await runBin(['--root', root.root, 'doctor', '--running', kv]);
		expect(doctor.stdout).toContain(
			'[secureboot.state] Secure Boot: enabled; signing key: /etc/portage/secureboot/db.key',
		);
	});

	it("sbctl's key store: layout=efistub installs the kernel as an EFI program signed with sbctl's db key", async () => {
		root = await kernelRoot('dk-sb-');
		const { kv } = root;
		secureBootOn(root);
		makeKeyPair(root.path('/var/lib/sbctl/keys/db/db.key'), root.path('/var/lib/sbctl/keys/db/db.pem'), 'sbctl key');
		root.write('/etc/os-release', 'NAME=Gentoo\nID=gentoo\n');
		root.write('/etc/kernel/install.conf', 'layout=efistub\n');
		root.write('/etc/kernel/cmdline', 'root=/dev/vda rw\n');
		mkdirSync(root.path('/efi/EFI/BOOT'), { recursive: true });
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain(`Signing the kernel image for ${kv} (sbsign): ok`);
		const kernel = root.path(`/efi/EFI/Gentoo/vmlinuz-${kv}.efi`);
		expect(signatures(kernel)).toBe(1);
		expect(verifies(root.path('/var/lib/sbctl/keys/db/db.pem'), kernel)).toBe(true);
		// The package's own image is left as it was.
		expect(signatures(root.kernel.vmlinuz)).toBe(0);
		const doctor = await runBin(['--root', root.root, 'doctor', '--running', kv]);
		expect(doctor.stdout).toContain("(from sbctl's key store)");
		expect(doctor.stdout).toContain('signs: kernel images (layout=efistub: the firmware starts them)');
	});

	it('Secure Boot on and no key anywhere: secureboot.no-key before dracut runs, /boot untouched; doctor says so', async () => {
		root = await kernelRoot('dk-sb-');
		const { kv } = root;
		secureBootOn(root);
		root.write('/etc/dracut.conf.d/20-uki.conf', 'uefi="yes"\n');
		root.write('/etc/kernel/cmdline', 'root=/dev/vda rw\n');
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('Secure Boot enabled and no signing key is configured');
		expect(result.stderr).not.toContain('with dracut');
		expect(existsSync(root.path('/boot'))).toBe(false);
		const doctor = await runBin(['--root', root.root, 'doctor', '--running', kv]);
		expect(doctor.stdout).toMatch(
			/ERROR \[secureboot\.no-key\] this machine runs with Secure Boot enabled but no signing key is configured/,
		);
	});

	it("a binhost's prebuilt UKI signed by the build host: the client installs it signed by its own configured key only", async () => {
		root = await kernelRoot('dk-sb-');
		const { kv } = root;
		secureBootOn(root);
		makeKeyPair(root.path('/etc/dist-kernel/keys/db.key'), root.path('/etc/dist-kernel/keys/db.crt'), 'client key');
		root.write(
			'/etc/dist-kernel/dist-kernel.conf',
			'secureboot-key = /etc/dist-kernel/keys/db.key\nsecureboot-cert = /etc/dist-kernel/keys/db.crt\nuki = yes\n',
		);
		root.write('/etc/kernel/cmdline', 'root=/dev/vda rw\n');
		const buildHost = root.path('/build-host-keys');
		makeKeyPair(`${buildHost}/db.key`, `${buildHost}/db.crt`, 'build host key');
		// The shipped image: a PE (systemd's stub stands in for the generic UKI), signed by the build host.
		const prebuilt = `${dirname(root.path(`/lib/modules/${kv}/vmlinuz`))}/uki.efi`;
		copyFileSync(STUB, `${prebuilt}.unsigned`);
		execFileSync(
			'sbsign',
			['--key', `${buildHost}/db.key`, '--cert', `${buildHost}/db.crt`, '--output', prebuilt, `${prebuilt}.unsigned`],
			{ stdio: 'ignore' },
		);
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('using the prebuilt unified kernel image');
		const installed = root.path(`/boot/vmlinuz-${kv}`);
		expect(signatures(installed)).toBe(1);
		expect(verifies(root.path('/etc/dist-kernel/keys/db.crt'), installed)).toBe(true);
		expect(verifies(`${buildHost}/db.crt`, installed)).toBe(false);
		// The shipped file stays as the package installed it.
		expect(verifies(`${buildHost}/db.crt`, prebuilt)).toBe(true);
		expect(readdirSync(root.path('/boot')).sort()).toEqual(
			[`initramfs-${kv}.img`, `System.map-${kv}`, `config-${kv}`, `vmlinuz-${kv}`].sort(),
		);
	});
});

describe('Secure Boot signing of the rescue image (stand-in dracut, real sbsign)', () => {
	it('layout=efistub with rescue-image = yes: the kernel and the rescue kernel are both signed with the key', async () => {
		layout = layoutRoot({ layout: 'efistub', uki: false, esp: true });
		secureBootOn(layout);
		// A real PE as the kernel image (systemd's stub stands in for the EFI-stub kernel).
		copyFileSync(STUB, layout.path(`/lib/modules/${KV}/vmlinuz`));
		makeKeyPair(
			layout.path('/var/lib/sbctl/keys/db/db.key'),
			layout.path('/var/lib/sbctl/keys/db/db.pem'),
			'sbctl key',
		);
		await installKernel(layoutContext(layout, { rescueImage: true }), KV);
		const cert = layout.path('/var/lib/sbctl/keys/db/db.pem');
		for (const name of [`vmlinuz-${KV}.efi`, `vmlinuz-0-rescue-${MACHINE_ID}.efi`]) {
			const path = layout.path(`/efi/EFI/Gentoo/${name}`);
			expect(signatures(path), name).toBe(1);
			expect(verifies(cert, path), name).toBe(true);
		}
	});
});
