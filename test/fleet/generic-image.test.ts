// Build-once images (binhost issue): `dist-kernel generic-image` puts a generic initramfs or UKI beside the kernel
// in a package image directory, with real dracut and the real Debian kernel, and nothing outside that directory.
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { findSection } from '../../src/parsers/pe-sections';
import {
	listInitramfs,
	listInitramfsBuffer,
	modulesInListing,
} from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { runBin } from '../helpers/bin';
import { type DebianKernel, debianKernel, linkKernelInto } from '../helpers/debian-kernel';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

const exec = createExec({ logger: createMemoryLogger() });
let kernel: DebianKernel;
let root: TempRoot;
let image: TempRoot;

beforeAll(async () => {
	kernel = await debianKernel();
});

function setUp(conf: string): void {
	root = makeTempRoot('dk-generic-root-');
	image = makeTempRoot('dk-generic-ed-');
	root.write('/etc/dist-kernel/dist-kernel.conf', conf);
	// The build host's own dracut configuration must not reach the generic image.
	root.write('/etc/dracut.conf.d/host.conf', 'hostonly="yes"\nadd_dracutmodules+=" i-do-not-exist "\n');
	linkKernelInto(kernel, image.root);
}

/** The package kernel's configuration, where a kernel package installs it. */
function kernelConfig(): string {
	return image.path(`/usr/src/linux-${kernel.kv}/.config`);
}

afterAll(() => {
	root?.cleanup();
	image?.cleanup();
});

describe('dist-kernel generic-image', () => {
	it('writes a non-hostonly initramfs beside the kernel image and links it from /lib/modules/KV', async () => {
		// A small module set keeps the test quick; the default is dracut's whole set.
		setUp('generic-image = initramfs\ngeneric-image-modules = base rootfs-block kernel-modules\n');
		const result = await runBin(['--root', root.root, 'generic-image', '--destdir', image.root]);
		expect(result.stderr).not.toMatch(/ERROR|failed/i);
		expect(result.code).toBe(0);
		const initrd = image.path(`/usr/src/linux-${kernel.kv}/arch/x86/boot/initrd`);
		expect(statSync(initrd).size).toBeGreaterThan(1_000_000);
		const link = image.path(`/lib/modules/${kernel.kv}/initrd`);
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		expect(readlinkSync(link)).toBe(`../../../usr/src/linux-${kernel.kv}/arch/x86/boot/initrd`);
		expect(realpathSync(link)).toBe(realpathSync(initrd));
		const listing = await listInitramfs(exec, initrd);
		// The package kernel unpacks zstd (CONFIG_RD_ZSTD=y in its .config): not dracut's default gzip -9.
		expect(readFileSync(kernelConfig(), 'utf8')).toMatch(/^CONFIG_RD_ZSTD=y$/m);
		expect(listing.segments.at(-1)?.compression).toBe('zstd');
		// Generic: storage drivers for any machine, not just this one's.
		const modules = modulesInListing(listing, kernel.kv);
		expect(modules.has('virtio_blk.ko')).toBe(true);
		expect(modules.has('nvme.ko')).toBe(true);
		expect([...listing.names].some((n) => n.endsWith('etc/cmdline.d/00-hostonly.conf'))).toBe(false);
		// The build root's /boot stays empty.
		expect(() => statSync(root.path('/boot'))).toThrow();
	});

	it("writes a UKI with the configured command line whose .linux is the package kernel, signed with the build host's keys", async () => {
		setUp(
			'generic-image = uki\ngeneric-image-modules = base rootfs-block kernel-modules\ngeneric-image-cmdline = "root=PARTLABEL=root ro quiet"\n',
		);
		// Secure Boot keys as dracut.conf names them: the generic UKI is signed once, on the build host.
		root.write(
			'/etc/dracut.conf.d/20-keys.conf',
			'uefi_secureboot_cert="/etc/keys/db.crt"\nuefi_secureboot_key="/etc/keys/db.key"\n',
		);
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
				'/CN=dist-kernel build host db/',
				'-keyout',
				root.path('/etc/keys/db.key'),
				'-out',
				root.path('/etc/keys/db.crt'),
			],
			{ stdio: 'ignore' },
		);
		chmodSync(root.path('/etc/keys/db.key'), 0o600);
		const result = await runBin(['--root', root.root, 'generic-image', '--destdir', image.root, kernel.kv]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('(signed)');
		const ukiPath = image.path(`/usr/src/linux-${kernel.kv}/arch/x86/boot/uki.efi`);
		execFileSync('sbverify', ['--cert', root.path('/etc/keys/db.crt'), ukiPath], { stdio: 'pipe' });
		const uki = readFileSync(ukiPath);
		expect(findSection(uki, '.linux')?.equals(readFileSync(kernel.vmlinuz))).toBe(true);
		expect(findSection(uki, '.cmdline')?.toString('utf8').replace(/\0/g, '').trim()).toBe(
			'root=PARTLABEL=root ro quiet',
		);
		const initrd = findSection(uki, '.initrd');
		expect(initrd).toBeDefined();
		const listing = await listInitramfsBuffer(exec, initrd as Buffer);
		expect(modulesInListing(listing, kernel.kv).has('virtio_blk.ko')).toBe(true);
		expect(listing.segments.at(-1)?.compression).toBe('zstd');
		expect(readlinkSync(image.path(`/lib/modules/${kernel.kv}/uki.efi`))).toBe(
			`../../../usr/src/linux-${kernel.kv}/arch/x86/boot/uki.efi`,
		);
	});

	it('rejects bad input before running dracut, and does nothing when generic-image = no', async () => {
		setUp('');
		const off = await runBin(['--root', root.root, 'generic-image', '--destdir', image.root]);
		expect(off.code).toBe(0);
		expect(() => statSync(image.path(`/usr/src/linux-${kernel.kv}/arch/x86/boot/initrd`))).toThrow();
		const relative = await runBin([
			'--root',
			root.root,
			'generic-image',
			'--kind',
			'initramfs',
			'--destdir',
			'relative/dir',
		]);
		expect(relative.code).toBe(2);
		expect(relative.stderr).toContain('--destdir');
		const badKind = await runBin(['--root', root.root, 'generic-image', '--kind', 'zip', '--destdir', image.root]);
		expect(badKind.code).toBe(2);
		const badKv = await runBin([
			'--root',
			root.root,
			'generic-image',
			'--kind',
			'initramfs',
			'--destdir',
			image.root,
			'../../etc',
		]);
		expect(badKv.code).toBe(2);
		const empty = makeTempRoot('dk-generic-empty-');
		try {
			const none = await runBin(['--root', root.root, 'generic-image', '--kind', 'initramfs', '--destdir', empty.root]);
			expect(none.code).toBe(2);
			expect(none.stderr).toContain('cannot tell which kernel');
		} finally {
			empty.cleanup();
		}
	});
});
