// Faults for real, around /boot: a full tmpfs, kill -9 at every stage of the boot update, hostile input, unsafe
// configuration, planted symlinks, a missing EFI stub. dracut is a stand-in here (the subject is /boot handling;
// pipeline.test.ts runs the real one), everything else is the real program in a temp root.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listInstalledKernels } from '../../src/runtime/boot/backends/select';
import { recoverBootTransaction } from '../../src/runtime/boot/transaction/transaction';
import { type RunResult, runBin } from '../helpers/bin';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { FAST_DRACUT_CONF, kernelRoot, standInBytes, standInDracut } from './kernel-root';
import { runtimeContext } from './runtime-context';

const INITRD_SIZE = 3 * 1024 * 1024;
let root: (TempRoot & { kv: string }) | undefined;
let mounted: string | undefined;
afterEach(() => {
	if (mounted) execFileSync('umount', [mounted]);
	mounted = undefined;
	root?.cleanup();
	root = undefined;
});

function run(r: TempRoot, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
	const tools = standInDracut(r, INITRD_SIZE);
	return runBin(['--root', r.root, ...args], { env: { PATH: `${tools}:${process.env['PATH']}`, ...env } });
}

/** Every file in /boot with its content. */
function snapshot(r: TempRoot): Map<string, Buffer> {
	const dir = r.path('/boot');
	return new Map(
		readdirSync(dir)
			.sort()
			.map((name) => [name, readFileSync(join(dir, name))]),
	);
}

function writeOldSet(r: TempRoot & { kv: string }): Map<string, Buffer> {
	for (const name of [`vmlinuz-${r.kv}`, `initramfs-${r.kv}.img`, `System.map-${r.kv}`, `config-${r.kv}`])
		r.write(`/boot/${name}`, `previous ${name}\n`);
	return snapshot(r);
}

function sameSet(a: Map<string, Buffer>, b: Map<string, Buffer>): boolean {
	return a.size === b.size && [...a].every(([name, data]) => b.get(name)?.equals(data) === true);
}

describe('faults around /boot', () => {
	it('a /boot too small (real tmpfs) fails before writing, old files byte-identical', async () => {
		root = await kernelRoot('dk-faults-');
		mkdirSync(root.path('/boot'));
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6M', 'dist-kernel-test', root.path('/boot')]);
		mounted = root.path('/boot');
		const old = writeOldSet(root);
		const result = await run(root, ['install', root.kv]);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/not enough free space on \/boot: need [0-9.]+ MiB, [0-9.]+ MiB available/);
		expect(result.stderr).toContain('nothing was written');
		expect(sameSet(snapshot(root), old)).toBe(true);
	});

	it('kill -9 at each stage of the /boot update leaves the previous or the new complete set after recovery', async () => {
		root = await kernelRoot('dk-faults-');
		const old = writeOldSet(root);
		const trace = await run(root, ['install', root.kv], { DIST_KERNEL_CHECKPOINT_TRACE: '1' });
		expect(trace.code).toBe(0);
		const fresh = snapshot(root);
		expect(fresh.get(`initramfs-${root.kv}.img`)?.equals(standInBytes(INITRD_SIZE))).toBe(true);
		const points = [...trace.stderr.matchAll(/^checkpoint (\d+) (.*)$/gm)].map((m) => ({
			n: Number(m[1]),
			name: m[2]!,
		}));
		const first = points.find((p) => p.name.startsWith('boot.protect'))!.n;
		const last = points.find((p) => p.name === 'boot.committed')!.n;
		const duringDracut = points.find((p) => p.name === 'exec.start dracut')!;
		const chosen = [
			duringDracut,
			...points.filter((p) => (p.n >= first && p.n <= last && (p.n - first) % 3 === 0) || p.n === last),
		];
		expect(chosen.length).toBeGreaterThan(5);
		const outcomes: string[] = [];
		for (const point of chosen) {
			for (const name of readdirSync(root.path('/boot'))) execFileSync('rm', ['-rf', root.path(`/boot/${name}`)]);
			for (const [name, data] of old) root.write(`/boot/${name}`, data.toString());
			// During dracut the stand-in itself kills its caller: the kill lands while the child runs, whatever the load.
			const kill = point === duringDracut ? { DK_STANDIN_KILL_PARENT: '1' } : { DIST_KERNEL_KILL_AT: String(point.n) };
			const killed = await run(root, ['install', root.kv], kill);
			expect(killed.stderr).not.toContain('installed with builtin');
			recoverBootTransaction(runtimeContext(root.root));
			const after = snapshot(root);
			const state = sameSet(after, old) ? 'previous' : sameSet(after, fresh) ? 'new' : 'MIXED';
			outcomes.push(`${point.n} ${point.name}: ${state}`);
		}
		if (process.env['DK_SHOW_OUTCOMES']) console.log(outcomes.join('\n'));
		expect(outcomes.filter((o) => o.endsWith('MIXED'))).toEqual([]);
		expect(outcomes.some((o) => o.endsWith('previous'))).toBe(true);
		expect(outcomes.some((o) => o.endsWith('new'))).toBe(true);
		expect(outcomes[0]).toMatch(/exec.start dracut: previous$/);
		// The lock left by a killed run is taken over by the next one, which also removes the killed runs' work dirs.
		expect((await run(root, ['install', root.kv])).code).toBe(0);
		// A same-version reinstall keeps the previous files as .old (installkernel's convention); the set is the new one.
		const withoutOld = (m: Map<string, Buffer>) => new Map([...m].filter(([name]) => !name.endsWith('.old')));
		expect(sameSet(withoutOld(snapshot(root)), withoutOld(fresh))).toBe(true);
		expect(
			readdirSync(tmpdir()).filter((n) =>
				n.startsWith(`dist-kernel.${createHash('sha256').update(root!.root).digest('hex').slice(0, 8)}.`),
			),
		).toEqual([]);
		const installed = await listInstalledKernels(runtimeContext(root.root));
		const kvFiles = [
			`System.map-${root.kv}`,
			`config-${root.kv}`,
			`initramfs-${root.kv}.img`,
			`vmlinuz-${root.kv}`,
		].flatMap((n) => [`/boot/${n}`, `/boot/${n}.old`]);
		expect(installed).toEqual([{ kv: root.kv, backend: 'builtin', files: kvFiles }]);
		const removed = await run(root, ['remove', root.kv]);
		expect(removed.code).toBe(0);
		expect(readdirSync(root.path('/boot'))).toEqual([]);
	});

	it('`initramfs KV` replaces only the initramfs of an installed kernel', async () => {
		root = await kernelRoot('dk-faults-');
		const old = writeOldSet(root);
		const result = await run(root, ['initramfs', root.kv]);
		expect(result.code).toBe(0);
		const after = snapshot(root);
		expect(after.get(`initramfs-${root.kv}.img`)?.equals(standInBytes(INITRD_SIZE))).toBe(true);
		for (const name of [`vmlinuz-${root.kv}`, `System.map-${root.kv}`, `config-${root.kv}`])
			expect(after.get(name)?.equals(old.get(name)!)).toBe(true);
	});

	it('a failing installkernel hook rolls the new files back', async () => {
		root = await kernelRoot('dk-faults-');
		const old = writeOldSet(root);
		root.write('/etc/kernel/postinst.d/90-fail', '#!/bin/bash\necho "grub-mkconfig: broken" >&2\nexit 3\n', 0o755);
		const result = await run(root, ['install', root.kv]);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('kernel postinst hook failed with exit code 3: /etc/kernel/postinst.d/90-fail');
		expect(result.stderr).toContain('grub-mkconfig: broken');
		expect(sameSet(snapshot(root), old)).toBe(true);
	});

	it('a symlink planted in /boot is not followed; a /boot leading out of the root is refused', async () => {
		root = await kernelRoot('dk-faults-');
		const outside = root.write('/outside/secret', 'not yours\n');
		mkdirSync(root.path('/boot'));
		symlinkSync(outside, root.path(`/boot/initramfs-${root.kv}.img`));
		const result = await run(root, ['install', root.kv]);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(
			`refusing to write through a symbolic link: ${root.path(`/boot/initramfs-${root.kv}.img`)}`,
		);
		expect(readFileSync(outside, 'utf8')).toBe('not yours\n');
		expect(readdirSync(root.path('/boot'))).toEqual([`initramfs-${root.kv}.img`]);

		const elsewhere = makeTempRoot('dk-elsewhere-');
		try {
			execFileSync('rm', ['-rf', root.path('/boot')]);
			symlinkSync(elsewhere.root, root.path('/boot'));
			const escaped = await run(root, ['install', root.kv]);
			expect(escaped.code).toBe(1);
			expect(escaped.stderr).toContain('refusing a boot directory that leads out of the root: /boot');
			expect(readdirSync(elsewhere.root)).toEqual([]);
		} finally {
			elsewhere.cleanup();
		}
	});

	it('--dry-run prints the dracut command and every file, and changes nothing', async () => {
		root = await kernelRoot('dk-faults-');
		const old = writeOldSet(root);
		const result = await run(root, ['--dry-run', 'install', root.kv]);
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/would run: dracut .*--kver \S+ --kmoddir \S+\/lib\/modules\/\S+ --no-uefi/);
		expect(result.stderr).toContain('dracut configuration: /etc/dracut.conf.d/10-test.conf');
		for (const name of old.keys()) expect(result.stderr).toContain(`would write ${root.path(`/boot/${name}`)}`);
		expect(sameSet(snapshot(root), old)).toBe(true);
		expect(existsSync(root.path('/run'))).toBe(false);
		expect(existsSync(root.path('/var'))).toBe(false);

		// Through kernel-install: the command and the environment pointing it at the root.
		root.write('/etc/kernel/install.conf', 'layout=bls\n');
		root.write('/usr/bin/kernel-install', '#!/bin/sh\n', 0o755);
		root.write('/usr/lib/kernel/install.d/90-loaderentry.install', '#!/bin/sh\n', 0o755);
		const viaKernelInstall = await run(root, ['--dry-run', 'install', root.kv]);
		expect(viaKernelInstall.code).toBe(0);
		expect(viaKernelInstall.stderr).toMatch(
			new RegExp(`would run: kernel-install add ${root.kv} \\S+/lib/modules/${root.kv}/vmlinuz \\S+/initrd`),
		);
		expect(viaKernelInstall.stderr).toContain(
			`KERNEL_INSTALL_CONF_ROOT=${root.path('/etc/kernel')} BOOT_ROOT=${root.path('/boot')}`,
		);
		expect(sameSet(snapshot(root), old)).toBe(true);
	});
});

/** A root with a small fake kernel: enough for checks that fail before dracut runs. */
function fakeKernelRoot(): TempRoot & { kv: string } {
	const r = makeTempRoot('dk-refused-');
	const kv = '6.1.0-test';
	r.write(`/lib/modules/${kv}/vmlinuz`, 'MZ fake kernel');
	r.write(`/lib/modules/${kv}/modules.dep`, '');
	r.write('/etc/dracut.conf.d/10-test.conf', FAST_DRACUT_CONF);
	return { ...r, kv };
}

describe('refused input and configuration (nothing touched)', () => {
	it.each([['../../etc'], ['6.1.0;rm -rf /'], ['6.1.0 gentoo'], ['$(reboot)'], ['6.1.0/../../x'], ['']])(
		'rejects the kernel version %j with a usage error',
		async (kv) => {
			root = fakeKernelRoot();
			for (const command of ['install', 'remove', 'initramfs']) {
				const result = await run(root, [command, kv]);
				expect(result.code).toBe(2);
				expect(result.stderr).toMatch(/Expected (kernel version|`?kv`?)|missing required argument/);
			}
			expect(existsSync(root.path('/boot'))).toBe(false);
		},
	);

	it('rejects hostile --image and --package values', async () => {
		root = fakeKernelRoot();
		const image = await run(root, ['install', root.kv, '--image', 'relative/vmlinuz']);
		expect(image.code).toBe(2);
		expect(image.stderr).toContain('Expected --image to be an absolute path');
		const pkg = await run(root, ['install', root.kv, '--package', 'sys-kernel/x;reboot']);
		expect(pkg.code).toBe(2);
		expect(pkg.stderr).toContain('Expected --package to be CAT/PF');
		const plugin = await run(root, ['plugin', 'dist-kernel', 'add', '../x', '/boot/x', '/vmlinuz']);
		expect(plugin.code).toBe(2);
		expect(existsSync(root.path('/boot'))).toBe(false);
	});

	it('refuses a world-writable dracut.conf.d file, naming it and its mode', async () => {
		root = fakeKernelRoot();
		chmodSync(root.path('/etc/dracut.conf.d/10-test.conf'), 0o666);
		const result = await run(root, ['install', root.kv]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(
			'refusing configuration not protected from other users: /etc/dracut.conf.d/10-test.conf is writable by every user (mode 0666)',
		);
		expect(existsSync(root.path('/boot'))).toBe(false);
	});

	it('a configured but missing EFI stub fails before dracut and /boot, naming what to install', async () => {
		root = fakeKernelRoot();
		root.write('/etc/dist-kernel/dist-kernel.conf', 'uki = yes\n');
		root.write('/etc/dracut.conf.d/20-stub.conf', 'uefi_stub=/usr/lib/systemd/boot/efi/missing.efi.stub\n');
		const result = await run(root, ['install', root.kv]);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(
			'EFI stub configured in dracut (uefi_stub) not found: /usr/lib/systemd/boot/efi/missing.efi.stub',
		);
		expect(result.stderr).not.toContain('Building');
		expect(existsSync(root.path('/boot'))).toBe(false);
		expect(statSync(root.path('/etc')).isDirectory()).toBe(true);
	});
});
