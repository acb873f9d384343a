// `status`, `doctor` and `modules rebuild` run as the real program against synthetic roots.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { writeKernel, writeModulePackage, writeVdbPackage, writeVirtual } from './vdb-builder';

let tmp: TempRoot;
let old: string;
let cur: string;
const STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

function sh(file: string, args: string[], input?: Buffer): Buffer {
	return execFileSync(file, args, { input, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A gzip'd newc image holding the given module files for kv. */
function initramfsWith(kv: string, modules: string[]): Buffer {
	const tree = join(tmp.root, `.tree-${Math.random().toString(16).slice(2)}`);
	mkdirSync(join(tree, 'usr/lib/modules', kv, 'extra'), { recursive: true });
	writeFileSync(join(tree, 'init'), '#!/bin/sh\n');
	for (const m of modules) writeFileSync(join(tree, 'usr/lib/modules', kv, 'extra', m), 'ko');
	const list = execFileSync('find', ['.', '-mindepth', '1'], { cwd: tree });
	return sh('gzip', ['-c'], execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: tree, input: list }));
}

/** A UKI made the way ukify lays one out: the systemd stub plus .linux and .initrd sections. */
function ukiWith(initrd: Buffer, out: string): void {
	const initrdFile = `${out}.initrd`;
	writeFileSync(initrdFile, initrd);
	writeFileSync(`${out}.linux`, Buffer.alloc(4096, 0x90));
	sh('objcopy', [
		'--add-section',
		`.linux=${out}.linux`,
		'--change-section-vma',
		'.linux=0x2000000',
		'--add-section',
		`.initrd=${initrdFile}`,
		'--change-section-vma',
		'.initrd=0x3000000',
		STUB,
		out,
	]);
}

const env = () => ({ DIST_KERNEL_RUNNING_KV: old, DIST_KERNEL_ELOG: '' });

beforeEach(() => {
	tmp = makeTempRoot('dk-status-');
	old = writeKernel(tmp.root, '6.1.10');
	cur = writeKernel(tmp.root, '6.1.11');
	writeVirtual(tmp.root, '6.1.11');
	writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', cur, {
		initramfs: true,
		modules: ['extra/zfs.ko.xz', 'extra/spl.ko.xz'],
	});
	writeModulePackage(tmp.root, 'net-vpn/wireguard-modules-1.0.20211208', old, {
		distKernel: false,
		modules: ['extra/wireguard.ko'],
	});
	writeModulePackage(tmp.root, 'x11-drivers/nvidia-drivers-535.104.05', old, {
		virtualPvr: '6.1.10',
		modules: ['video/nvidia.ko'],
	});
	writeVdbPackage(tmp.root, {
		cpv: 'sys-fs/broken-kmod-1.0',
		rdepend: 'virtual/dist-kernel:0/6.1.11=',
		rawContents: 'obj /lib/modules/x.ko\n',
	});
	tmp.write(`/boot/vmlinuz-${old}`, 'kernel');
	writeFileSync(tmp.path(`/boot/initramfs-${old}.img`), initramfsWith(old, []));
	tmp.write(
		'/boot/grub/grubenv',
		`# GRUB Environment Block\nsaved_entry=Gentoo GNU/Linux, with Linux ${old}\n${'#'.repeat(900)}`,
	);
	tmp.write('/efi/loader/loader.conf', 'timeout 3\ndefault gentoo-*.conf\n');
});
afterEach(() => tmp.cleanup());

describe('dist-kernel status', () => {
	it('prints kernels, running kernel, default entries and stale packages as JSON', async () => {
		tmp.write(`/boot/vmlinuz-${cur}`, 'kernel');
		writeFileSync(tmp.path(`/boot/initramfs-${cur}.img`), initramfsWith(cur, ['zfs.ko', 'spl.ko']));
		const result = await runBin(['--root', tmp.root, 'status', '--json'], { env: env() });
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.running).toEqual({ kv: old, source: 'environment' });
		expect(
			report.kernels.map((k: { kv: string; newest: boolean; running: boolean }) => [k.kv, k.newest, k.running]),
		).toEqual([
			[old, false, true],
			[cur, true, false],
		]);
		expect(report.kernels[1].boot).toEqual({
			kernels: [`/boot/vmlinuz-${cur}`],
			initrds: [`/boot/initramfs-${cur}.img`],
			ukis: [],
			emptyInitrds: [],
		});
		expect(report.defaultEntries).toEqual([
			{ source: '/efi/loader/loader.conf', value: 'gentoo-*.conf' },
			{ source: '/boot/grub/grubenv', value: `Gentoo GNU/Linux, with Linux ${old}` },
		]);
		expect(report.stale.map((s: { cpv: string }) => s.cpv).sort()).toEqual([
			'net-vpn/wireguard-modules-1.0.20211208',
			'x11-drivers/nvidia-drivers-535.104.05',
		]);
		expect(report.broken).toEqual([{ cpv: 'sys-fs/broken-kmod-1.0', error: expect.stringContaining('CONTENTS:1') }]);
	});

	it('prints a human report and honours --running', async () => {
		const result = await runBin(['--root', tmp.root, 'status', '--running', cur], { env: env() });
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(`Running kernel: ${cur} (from option)`);
		expect(result.stdout).toMatch(
			new RegExp(`${cur.replace(/\./g, '\\.')}  \\(sys-kernel/gentoo-kernel-6\\.1\\.11\\)  \\[newest, running\\]`),
		);
		expect(result.stdout).toContain(
			'wireguard-modules-1.0.20211208\n      built for kernel 6.1.10-gentoo-dist, but the newest installed kernel is 6.1.11-gentoo-dist',
		);
		expect(result.stdout).toContain('fix: dist-kernel modules rebuild');
	});

	it('rejects a bad --running value as a usage error', async () => {
		const result = await runBin(['--root', tmp.root, 'status', '--running', '../x'], { env: env() });
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('Expected `--running` to be a kernel version');
	});
});

describe('dist-kernel doctor', () => {
	it('exits 1 on a kernel without initramfs and names the fix', async () => {
		tmp.write(`/boot/vmlinuz-${cur}`, 'kernel');
		const result = await runBin(['--root', tmp.root, 'doctor'], { env: env() });
		expect(result.code).toBe(1);
		expect(result.stdout).toContain(
			`ERROR [kernel.no-initramfs] kernel ${cur} is installed (/boot/vmlinuz-${cur}) without an initramfs or UKI`,
		);
		expect(result.stdout).toContain(`fix: dist-kernel install ${cur}`);
		expect(result.stdout).toContain('WARNING [modules.stale] net-vpn/wireguard-modules');
		expect(result.stdout).toContain('WARNING [vdb.broken-entry]');
	});

	it('finds an initramfs lacking the modules of its USE=initramfs packages (plain image and UKI)', async () => {
		tmp.write(`/boot/vmlinuz-${cur}`, 'kernel');
		writeFileSync(tmp.path(`/boot/initramfs-${cur}.img`), initramfsWith(cur, ['spl.ko']));
		mkdirSync(tmp.path('/efi/EFI/Linux'), { recursive: true });
		ukiWith(initramfsWith(cur, []), tmp.path(`/efi/EFI/Linux/gentoo-${cur}.efi`));
		const result = await runBin(['--root', tmp.root, 'doctor', '--json'], { env: env() });
		expect(result.code).toBe(1);
		const findings = JSON.parse(result.stdout).findings as Array<{
			id: string;
			subject: string;
			message: string;
			fix: string;
		}>;
		const missing = findings.filter((f) => f.id === 'initramfs.missing-modules');
		expect(missing.map((f) => f.subject).sort()).toEqual([
			`/boot/initramfs-${cur}.img`,
			`/efi/EFI/Linux/gentoo-${cur}.efi`,
		]);
		expect(missing.find((f) => f.subject.endsWith('.img'))!.message).toContain(
			'lacks zfs.ko from sys-fs/zfs-kmod-2.2.0',
		);
		expect(missing.find((f) => f.subject.endsWith('.efi'))!.message).toContain('lacks zfs.ko, spl.ko');
		expect(missing[0]!.fix).toBe(`dist-kernel initramfs ${cur}`);
	});

	it('is clean (exit 0 apart from warnings) when every image holds its modules', async () => {
		tmp.write(`/boot/vmlinuz-${cur}`, 'kernel');
		writeFileSync(tmp.path(`/boot/initramfs-${cur}.img`), initramfsWith(cur, ['zfs.ko', 'spl.ko']));
		const result = await runBin(['--root', tmp.root, 'doctor', '--json'], { env: env() });
		const findings = JSON.parse(result.stdout).findings as Array<{ level: string; id: string }>;
		expect(findings.filter((f) => f.level === 'error')).toEqual([]);
		expect(result.code).toBe(0);
	});

	it('recognises a UKI installed in place of the kernel beside its empty placeholder initramfs', async () => {
		ukiWith(initramfsWith(cur, ['zfs.ko', 'spl.ko']), tmp.path(`/boot/vmlinuz-${cur}`));
		writeFileSync(tmp.path(`/boot/initramfs-${cur}.img`), '');
		const status = await runBin(['--root', tmp.root, 'status'], { env: env() });
		expect(status.stdout).toContain(`UKI /boot/vmlinuz-${cur}`);
		expect(status.stdout).toContain(`initramfs /boot/initramfs-${cur}.img (empty placeholder)`);
		const doctor = await runBin(['--root', tmp.root, 'doctor', '--json'], { env: env() });
		const findings = JSON.parse(doctor.stdout).findings as Array<{ level: string; id: string }>;
		expect(findings.filter((f) => f.level === 'error')).toEqual([]);
		expect(doctor.code).toBe(0);
	});

	it('reports a plain kernel whose only initramfs is empty', async () => {
		tmp.write(`/boot/vmlinuz-${cur}`, 'kernel');
		writeFileSync(tmp.path(`/boot/initramfs-${cur}.img`), '');
		const result = await runBin(['--root', tmp.root, 'doctor'], { env: env() });
		expect(result.code).toBe(1);
		expect(result.stdout).toContain(
			`ERROR [kernel.empty-initramfs] kernel ${cur} is installed with an empty initramfs`,
		);
	});

	it('reports a missing EFI stub when UKIs are configured', async () => {
		tmp.write(`/boot/vmlinuz-${cur}`, 'kernel');
		writeFileSync(tmp.path(`/boot/initramfs-${cur}.img`), initramfsWith(cur, ['zfs.ko', 'spl.ko']));
		tmp.write('/etc/dracut.conf.d/uki.conf', 'uefi="yes"\nuefi_stub="/usr/lib/nowhere/linuxx64.efi.stub"\n');
		const result = await runBin(['--root', tmp.root, 'doctor', '--json'], { env: env() });
		const findings = JSON.parse(result.stdout).findings as Array<{ id: string; level: string }>;
		expect(findings.find((f) => f.id === 'uki.no-efi-stub')?.level).toBe('error');
		expect(result.code).toBe(1);
	});

	it('reports /boot nearly full on a real small filesystem', async () => {
		const boot = tmp.path('/boot');
		const saved = readFileSync(join(boot, `initramfs-${old}.img`));
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', boot]);
		try {
			writeFileSync(join(boot, `vmlinuz-${old}`), Buffer.alloc(500 * 1024, 1));
			writeFileSync(join(boot, `initramfs-${old}.img`), saved);
			writeFileSync(join(boot, 'filler'), Buffer.alloc(400 * 1024, 1));
			const result = await runBin(['--root', tmp.root, 'doctor', '--json'], { env: env() });
			const space = (JSON.parse(result.stdout).findings as Array<{ id: string; level: string; message: string }>).find(
				(f) => f.id === 'boot.space',
			);
			expect(space?.level).toBe('error');
			expect(space?.message).toMatch(/\/boot has .* MiB free, but one kernel needs/);
		} finally {
			execFileSync('umount', [boot]);
		}
	});
});

describe('dist-kernel modules rebuild', () => {
	function fakeEmerge(): { dir: string; log: string } {
		const dir = tmp.path('/.fakebin');
		const log = tmp.path('/.emerge.log');
		mkdirSync(dir, { recursive: true });
		writeFileSync(
			join(dir, 'emerge'),
			`#!/bin/bash\nprintf '%s\\n' "$@" > ${JSON.stringify(log)}\necho --- >> ${JSON.stringify(log)}\nenv | sort >> ${JSON.stringify(log)}\n`,
		);
		chmodSync(join(dir, 'emerge'), 0o755);
		return { dir, log };
	}

	it('runs emerge --oneshot --usepkg=n on the USE=-dist-kernel stale packages, in a clean environment', async () => {
		const { dir, log } = fakeEmerge();
		const result = await runBin(['--root', tmp.root, 'modules', 'rebuild'], {
			env: { ...env(), PATH: `${dir}:${process.env['PATH']}`, EBUILD_PHASE: 'postinst', USE: 'leak', HOME: '/root' },
		});
		expect(result.stderr).toContain('x11-drivers/nvidia-drivers-535.104.05 has USE=dist-kernel');
		expect(result.code).toBe(0);
		const [argv, envText] = readFileSync(log, 'utf8').split('---\n') as [string, string];
		expect(argv.trim().split('\n')).toEqual([
			'--oneshot',
			'--usepkg=n',
			`--root=${tmp.root}`,
			'=net-vpn/wireguard-modules-1.0.20211208',
		]);
		const childEnv = Object.fromEntries(
			envText
				.trim()
				.split('\n')
				.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
		);
		expect(childEnv['EBUILD_PHASE']).toBeUndefined();
		expect(childEnv['USE']).toBeUndefined();
		expect(childEnv['DIST_KERNEL_RUNNING_KV']).toBeUndefined();
		expect(childEnv['HOME']).toBe('/root');
		expect(childEnv['PATH']).toContain(dir);
	});

	it('--pretend and --dry-run run nothing', async () => {
		const { dir, log } = fakeEmerge();
		for (const args of [
			['modules', 'rebuild', '--pretend'],
			['--dry-run', 'modules', 'rebuild'],
		]) {
			const result = await runBin(['--root', tmp.root, ...args], {
				env: { ...env(), PATH: `${dir}:${process.env['PATH']}` },
			});
			expect(result.code).toBe(0);
			expect(result.stderr).toContain('emerge --oneshot --usepkg=n');
			expect(result.stderr).toContain('=net-vpn/wireguard-modules-1.0.20211208');
		}
		expect(() => readFileSync(log)).toThrow();
	});
});
