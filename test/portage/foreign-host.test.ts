// Test roots are declared, not inherited (issue 20): every throw-away root stacks a "foreign host" layer (Debian's
// dracut and initramfs-tools kernel hooks, kernel-install plugins, install.conf, dracut.conf.d with add_drivers,
// a foreign /boot, /efi, /lib/modules and fstab: foreign-host.ts) over this machine's `/`, and the declared
// layers over both. Here the runtime installs and removes the real Debian kernel through each backend inside such a
// root, and kernel-install and installkernel run as an admin would: none of the foreign files runs or is read, no
// image holds the foreign add_drivers module, no entry carries the foreign command line. A root without the
// declared layers shows the foreign layer is live: the same install runs its hook and reads its dracut.conf.d.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DebianKernel, debianKernel } from '../helpers/debian-kernel';
import { initramfsModules } from './flow-helpers';
import { FOREIGN_BOOT_ROOT, FOREIGN_CMDLINE_WORD, FOREIGN_DRIVER, FOREIGN_MARKERS } from './foreign-host';
import { diffSnapshots, snapshotHost } from './host-guard';
import { FAST_DRACUT_CONF, testBundle } from './portage-root';
import { createRoot, type ThrowawayRoot, whyNoRoot } from './throwaway-root';

const hostBefore = snapshotHost();
const why = whyNoRoot();
const roots: ThrowawayRoot[] = [];
let kernel: DebianKernel;

const DRACUT_ARGS_LOG = '/var/log/dk-test/dracut-args.log';
// Every dracut run's arguments, one line each, then the real dracut.
const DRACUT_WRAPPER = `#!/bin/bash\nmkdir -p /var/log/dk-test\nprintf '%s\\n' "$*" >> ${DRACUT_ARGS_LOG}\nexec /usr/bin/dracut "$@"\n`;

function link(from: string, to: string): void {
	mkdirSync(dirname(to), { recursive: true });
	const copy = spawnSync('cp', ['-al', from, to], { encoding: 'utf8' });
	if (copy.status !== 0) throw new Error(`cp -al ${from} ${to}: ${copy.stderr}`);
}

/** A throw-away root holding the Debian kernel as a Gentoo kernel package merges it, small real dracut. */
function kernelRoot(options: { declared?: boolean } = {}): ThrowawayRoot {
	if (why) throw new Error(why);
	const root = createRoot({ prefix: 'dk-foreign-', declared: options.declared });
	roots.push(root);
	const kv = kernel.kv;
	link(kernel.modulesDir, root.path(`/lib/modules/${kv}`));
	link(kernel.vmlinuz, root.path(`/usr/src/linux-${kv}/arch/x86/boot/bzImage`));
	link(`${kernel.dir}/boot/System.map-${kv}`, root.path(`/usr/src/linux-${kv}/System.map`));
	link(`${kernel.dir}/boot/config-${kv}`, root.path(`/usr/src/linux-${kv}/.config`));
	root.write('/usr/local/sbin/dracut', DRACUT_WRAPPER, 0o755);
	root.write('/etc/dracut.conf.d/10-test.conf', `${FAST_DRACUT_CONF}add_drivers+=" virtio_blk "\n`);
	root.write('/etc/kernel/cmdline', 'root=/dev/vda ro\n');
	return root;
}

async function run(root: ThrowawayRoot, name: string, script: string): Promise<string> {
	const result = await root.run(
		name,
		`set -euo pipefail\ncd /\nDK_BUNDLE=${JSON.stringify(testBundle())}\nKV=${kernel.kv}\n${script}\n`,
	);
	if (result.code !== 0)
		throw new Error(
			`${name} failed (exit ${result.code ?? result.signal}); log: ${root.dir}/${name}.log\n${result.output.split('\n').slice(-60).join('\n')}`,
		);
	return result.output;
}

function dracutArgs(root: ThrowawayRoot): string[] {
	return root.exists(DRACUT_ARGS_LOG) ? root.read(DRACUT_ARGS_LOG).trimEnd().split('\n') : [];
}

/** What the flow's root shows at the declared paths, listed from inside it. */
const LOOK =
	'find /etc/kernel /usr/lib/kernel /etc/dracut.conf.d /usr/lib/dracut/dracut.conf.d /boot /lib/modules -maxdepth 3 | sort; ls -d /efi /etc/initramfs-tools /etc/default/grub /usr/local/lib/kernel 2>/dev/null || true; cat /etc/fstab /etc/dracut.conf';

beforeAll(async () => {
	kernel = await debianKernel();
});

afterAll(() => {
	if (!process.env['DK_TEST_KEEP_ROOTS']) for (const root of roots) root.cleanup();
});

describe('a root over a foreign host: nothing of the host layer runs, is read or is copied', () => {
	it('the declared paths show the Gentoo-like state, not the foreign layer nor this machine', async () => {
		const root = kernelRoot();
		const seen = await run(root, 'look', LOOK);
		expect(seen).not.toMatch(/dk-foreign|dk_foreign|initrd\.img|85-initrd/);
		expect(seen).toContain('/usr/lib/kernel/install.d/90-loaderentry.install');
		expect(seen).toContain(`/lib/modules/${kernel.kv}`);
		expect(root.foreignTraces()).toEqual([]);
	});

	it('built-in backend: install and remove', async () => {
		const root = kernelRoot();
		await run(
			root,
			'builtin',
			[
				"mkdir -p /etc/dist-kernel && echo 'install-backend = builtin' > /etc/dist-kernel/dist-kernel.conf",
				'node "${DK_BUNDLE}" install "${KV}"',
				'node "${DK_BUNDLE}" remove "${KV}"',
				'node "${DK_BUNDLE}" install "${KV}"',
			].join('\n'),
		);
		expect(root.foreignTraces()).toEqual([]);
		expect(readdirSync(root.path('/boot')).sort()).toEqual([
			`System.map-${kernel.kv}`,
			`config-${kernel.kv}`,
			`initramfs-${kernel.kv}.img`,
			`vmlinuz-${kernel.kv}`,
		]);
		const modules = await initramfsModules(root.path(`/boot/initramfs-${kernel.kv}.img`), kernel.kv);
		expect(modules).toContain('virtio_blk.ko');
		expect(modules).not.toContain(`${FOREIGN_DRIVER}.ko`);
		expect(dracutArgs(root)).toHaveLength(2);
		for (const args of dracutArgs(root))
			expect(args).not.toMatch(new RegExp(`${FOREIGN_DRIVER}|/etc/dracut\\.conf\\.d|dk-foreign`));
	});

	it("installkernel backend, and Debian's installkernel run by the admin: no hook runs", async () => {
		const root = kernelRoot();
		await run(
			root,
			'installkernel',
			[
				"mkdir -p /etc/dist-kernel && echo 'install-backend = installkernel' > /etc/dist-kernel/dist-kernel.conf",
				'node "${DK_BUNDLE}" install "${KV}"',
				'node "${DK_BUNDLE}" remove "${KV}"',
				'installkernel "${KV}" "/usr/src/linux-${KV}/arch/x86/boot/bzImage" "/usr/src/linux-${KV}/System.map" /boot',
			].join('\n'),
		);
		expect(root.foreignTraces()).toEqual([]);
		expect(readdirSync(root.path('/boot')).sort()).toEqual([
			`System.map-${kernel.kv}`,
			`config-${kernel.kv}`,
			`vmlinuz-${kernel.kv}`,
		]);
		for (const args of dracutArgs(root)) expect(args).not.toContain(FOREIGN_DRIVER);
	});

	it("kernel-install backend (layout=bls), and kernel-install run by the admin: only the root's plugins run", async () => {
		const root = kernelRoot();
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		await run(
			root,
			'kernel-install',
			[
				"mkdir -p /etc/dist-kernel && echo 'install-backend = kernel-install' > /etc/dist-kernel/dist-kernel.conf",
				'kernel-install --verbose add "${KV}" "/usr/src/linux-${KV}/arch/x86/boot/bzImage"',
				'kernel-install --verbose remove "${KV}"',
				// systemd's 50-depmod removed the module index with the kernel: the kernel package's own depmod again
				'depmod -a "${KV}"',
				'node "${DK_BUNDLE}" install "${KV}"',
			].join('\n'),
		);
		expect(root.foreignTraces()).toEqual([]);
		const token = readFileSync('/etc/machine-id', 'utf8').trim();
		const entry = root.read(`/boot/loader/entries/${token}-${kernel.kv}.conf`);
		expect(entry).toMatch(/^options +root=\/dev\/vda ro/m);
		expect(entry).not.toContain(FOREIGN_CMDLINE_WORD);
		const modules = await initramfsModules(root.path(`/boot/${token}/${kernel.kv}/initrd`), kernel.kv);
		expect(modules).toContain('virtio_blk.ko');
		expect(modules).not.toContain(`${FOREIGN_DRIVER}.ko`);
		expect(root.exists(FOREIGN_BOOT_ROOT)).toBe(false);
	});
});

describe('the foreign layer is live', () => {
	it('without the declared layers, the same install runs the foreign hooks and reads the foreign install.conf and dracut.conf.d', async () => {
		const root = kernelRoot({ declared: false });
		await run(
			root,
			'undeclared',
			[
				"mkdir -p /etc/dist-kernel && echo 'install-backend = installkernel' > /etc/dist-kernel/dist-kernel.conf",
				'node "${DK_BUNDLE}" install "${KV}"',
			].join('\n'),
		);
		const traces = root.foreignTraces();
		expect(traces).toContain(`${FOREIGN_MARKERS}/hook-dracut-postinst.d-${kernel.kv}`);
		expect(traces).toContain(`${FOREIGN_MARKERS}/etc-dracut.conf.d`);
		expect(traces).toContain(`${FOREIGN_MARKERS}/etc-kernel-install.conf`);
		// the foreign install.conf's BOOT_ROOT took the kernel, its dracut.conf.d's add_drivers went into the image
		expect(traces).toContain(FOREIGN_BOOT_ROOT);
		const found = spawnSync('find', [root.path(FOREIGN_BOOT_ROOT), '-name', 'initrd', '-type', 'f'], {
			encoding: 'utf8',
		})
			.stdout.trim()
			.split('\n');
		expect(found).toHaveLength(1);
		expect(await initramfsModules(found[0]!, kernel.kv)).toContain(`${FOREIGN_DRIVER}.ko`);
	});
});

it("the machine's own /boot, /lib/modules, /usr/src and /var/db are untouched", () => {
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
