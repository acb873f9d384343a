// `verify` under enforcing firmware, with real tools: a real dracut UKI of the Debian kernel, signed with sbsign,
// booted by Debian's OVMF Secure Boot build (OVMF_CODE_4M.secboot.fd) with the admin's certificate enrolled as
// PK/KEK/db by our variable store writer. TCG (verify-accel = tcg): each guest boot costs about a minute here.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import type { KernelRoot } from '../runtime/kernel-root';
import { verifyRoot } from '../verify/verify-root';
import { makeKeyPair } from './keys';

const ROOT_UUID = '3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21';
const PREVIOUS = '6.1.0-1-amd64';

let root: KernelRoot | undefined;
afterEach(() => root?.cleanup());

interface Record {
	result: string;
	outcome?: string;
	reason?: string;
	log: string;
	secureBoot?: { cert: string; firmware: string };
	demoted?: string[];
}

async function ukiRoot(config: string): Promise<KernelRoot> {
	const r = await verifyRoot();
	r.write(
		'/etc/dist-kernel/dist-kernel.conf',
		`install-backend = builtin\nverify-accel = tcg\nverify-secureboot = yes\n${config}`,
	);
	r.write('/etc/os-release', 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n');
	r.write('/etc/kernel/install.conf', 'layout=uki\n');
	r.write('/etc/kernel/cmdline', `root=UUID=${ROOT_UUID} ro\n`);
	mkdirSync(r.path('/efi/EFI/BOOT'), { recursive: true });
	return r;
}

describe('boot verification under enforcing Secure Boot firmware (real OVMF, TCG)', () => {
	it("sbctl's key: the signed UKI boots with that certificate enrolled; the same UKI unsigned is refused as verify.secureboot-rejected", async () => {
		root = await ukiRoot('verify-boot = qemu\n');
		const { kv } = root;
		makeKeyPair(root.path('/var/lib/sbctl/keys/db/db.key'), root.path('/var/lib/sbctl/keys/db/db.pem'), 'sbctl db');
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('Secure Boot enforced with /var/lib/sbctl/keys/db/db.pem enrolled');
		expect(result.stderr).toContain(`boot of ${kv} verified in QEMU`);
		const uki = root.path(`/efi/EFI/Linux/gentoo-${kv}.efi`);
		const verified = JSON.parse(readFileSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`), 'utf8')) as Record;
		expect(verified).toMatchObject({
			result: 'verified',
			secureBoot: { cert: '/var/lib/sbctl/keys/db/db.pem', firmware: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd' },
		});

		// The installed UKI without its signature: the firmware itself refuses it.
		execFileSync('sbattach', ['--remove', uki], { stdio: 'ignore' });
		const rejected = await runBin(['--root', root.root, 'verify', kv, '--json']);
		expect(rejected.code).toBe(1);
		const record = JSON.parse(rejected.stdout) as Record;
		expect(record).toMatchObject({ result: 'failed', outcome: 'verify.secureboot-rejected' });
		expect(record.reason).toContain('Access Denied');
		expect(rejected.stderr).toContain('FAILED (verify.secureboot-rejected)');
		expect(readFileSync(root.path(record.log), 'utf8')).toMatch(
			/BdsDxe: failed to load Boot[0-9A-F]{4} .*: Access Denied/,
		);
	});

	it('a key sbverify accepts but this firmware does not (ECDSA P-256, from make.conf): installed, refused by the firmware, not the default', async () => {
		root = await ukiRoot('verify-boot = qemu\n');
		const { kv } = root;
		// Debian 12's OVMF (edk2 2022.11) verifies RSA Authenticode signatures only.
		root.write(
			'/etc/portage/make.conf',
			'SECUREBOOT_SIGN_KEY="/etc/portage/sb/ec.key"\nSECUREBOOT_SIGN_CERT="/etc/portage/sb/ec.pem"\n',
		);
		mkdirSync(root.path('/etc/portage/sb'), { recursive: true, mode: 0o700 });
		execFileSync(
			'openssl',
			[
				'req',
				'-new',
				'-x509',
				'-newkey',
				'ec',
				'-pkeyopt',
				'ec_paramgen_curve:prime256v1',
				'-nodes',
				'-days',
				'1',
				'-subj',
				'/CN=ec db/',
				'-keyout',
				root.path('/etc/portage/sb/ec.key'),
				'-out',
				root.path('/etc/portage/sb/ec.pem'),
			],
			{ stdio: 'ignore' },
		);
		// The kernel booted until now.
		root.write(`/efi/EFI/Linux/gentoo-${PREVIOUS}.efi`, 'previous UKI');
		const result = await runBin(['--root', root.root, 'install', kv]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('FAILED (verify.secureboot-rejected)');
		const uki = root.path(`/efi/EFI/Linux/gentoo-${kv}+0-1.efi`);
		execFileSync('sbverify', ['--cert', root.path('/etc/portage/sb/ec.pem'), uki], { stdio: 'ignore' });
		expect(readdirSync(root.path('/efi/EFI/Linux')).sort()).toEqual([`gentoo-${PREVIOUS}.efi`, `gentoo-${kv}+0-1.efi`]);
		expect(existsSync(root.path(`/efi/EFI/Linux/gentoo-${kv}.efi`))).toBe(false);
		const state = JSON.parse(readFileSync(root.path(`/var/lib/dist-kernel/verify/${kv}.json`), 'utf8')) as Record;
		expect(state).toMatchObject({
			result: 'failed',
			outcome: 'verify.secureboot-rejected',
			demoted: [`/efi/EFI/Linux/gentoo-${kv}+0-1.efi`],
		});
	});
});
