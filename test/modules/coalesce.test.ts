// Coalesced initramfs regeneration, counted. A fake `emerge` (a bash script of that name, so the runtime finds it
// among its ancestors) "merges" gentoo-kernel, the virtual and two USE="dist-kernel initramfs" module packages:
// before each package's pkg_postinst call it writes Portage's resume list to /var/cache/edb/mtimedb exactly as
// the Scheduler keeps it (the running package still listed, finished ones removed). A `dracut` wrapper first on
// PATH counts runs. Gentoo's behaviour (coalescing off) is 3 dracut runs; ours is 1, with the real dracut and the
// real Debian kernel, and the single image holds both packages' modules.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { listInitramfs, modulesInListing } from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { makeDemoRoot } from '../demo/demo-root';
import { runBin, testBin } from '../helpers/bin';
import { type DebianKernel, debianKernel, linkKernelInto } from '../helpers/debian-kernel';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { writeVdbPackage } from './vdb-builder';

const OLD = '5.15.80-gentoo-dist';
const KERNEL = 'sys-kernel/gentoo-kernel-6.1.0';
const VIRTUAL = 'virtual/dist-kernel-6.1.0';
const ZFS = 'sys-fs/zfs-kmod-2.2.0';
const BCACHEFS = 'sys-fs/bcachefs-kmod-1.4.0';

let kernel: DebianKernel;
const roots: TempRoot[] = [];
afterAll(() => {
	for (const r of roots) r.cleanup();
});
beforeAll(async () => {
	kernel = await debianKernel();
});

interface Scenario {
	tmp: TempRoot;
	countFile: string;
	binDir: string;
	emerge: string;
}

/** A root where 5.15.80 is installed and booted, 6.1.0 (the Debian kernel) is being merged with its modules. */
function scenario(options: { realDracut: boolean; coalesce: boolean; dieAfter?: number }): Scenario {
	const tmp = makeTempRoot('dk-coalesce-');
	roots.push(tmp);
	const root = tmp.root;
	const kv = kernel.kv;
	makeDemoRoot(root, { uki: false });
	linkKernelInto(kernel, root);
	if (!options.coalesce) tmp.write('/etc/dist-kernel/dist-kernel.conf', 'coalesce-initramfs = no\n');
	// The previous kernel, installed and bootable.
	writeVdbPackage(root, {
		cpv: `sys-kernel/gentoo-kernel-5.15.80`,
		slot: '5.15.80',
		files: [`/lib/modules/${OLD}/vmlinuz`, `/lib/modules/${OLD}/modules.builtin`],
	});
	tmp.write(`/lib/modules/${OLD}/vmlinuz`, 'old kernel');
	tmp.write(`/boot/vmlinuz-${OLD}`, 'old kernel');
	tmp.write(`/boot/initramfs-${OLD}.img`, 'old initramfs');
	writeVdbPackage(root, { cpv: 'virtual/dist-kernel-5.15.80', slot: '0/5.15.80' });
	// The kernel being merged (its VDB entry exists when its pkg_postinst runs).
	writeVdbPackage(root, {
		cpv: KERNEL,
		slot: '6.1.0',
		files: [`/lib/modules/${kv}/vmlinuz`, `/lib/modules/${kv}/modules.builtin`],
	});
	// Module packages with MODULES_INITRAMFS_IUSE, as linux-mod-r1 installs them (dracut.conf.d add_drivers snippet).
	for (const [cpv, pn, module, driver] of [
		[ZFS, 'zfs-kmod', 'kernel/fs/ext4/ext4.ko', 'ext4'],
		[BCACHEFS, 'bcachefs-kmod', 'kernel/fs/fat/vfat.ko', 'vfat'],
	] as const) {
		writeVdbPackage(root, {
			cpv,
			use: ['dist-kernel', 'initramfs'],
			iuse: ['dist-kernel', '+initramfs'],
			rdepend: 'virtual/dist-kernel:0/6.1.0=',
			inherited: ['linux-mod-r1'],
			files: [`/lib/modules/${kv}/${module}`, `/etc/dracut.conf.d/10-${pn}.conf`],
		});
		// linux-mod-r1 writes this snippet to /usr/lib/dracut/dracut.conf.d; the install pipeline stages only the
		// root's /etc/dracut.conf.d for dracut (reported), so the test places it there.
		tmp.write(`/etc/dracut.conf.d/10-${pn}.conf`, `add_drivers+=" ${driver} "\n`);
	}

	const binDir = tmp.path('/.test-bin');
	mkdirSync(binDir, { recursive: true });
	const countFile = tmp.path('/.dracut-runs');
	writeFileSync(countFile, '');
	const fakeImage = tmp.path('/.fake-initramfs');
	writeFileSync(fakeImage, '070701');
	writeFileSync(
		join(binDir, 'dracut'),
		[
			'#!/bin/bash',
			`echo "dracut $*" >> ${JSON.stringify(countFile)}`,
			options.realDracut ? 'exec /usr/bin/dracut "$@"' : `cp ${JSON.stringify(fakeImage)} "\${@: -1}"`,
			'',
		].join('\n'),
	);
	chmodSync(join(binDir, 'dracut'), 0o755);

	const entry = (cpv: string) => `["ebuild", "/", "${cpv}", "merge"]`;
	const mtimedb = (cpvs: string[]) =>
		`{"resume": {"favorites": ["@world"], "mergelist": [${cpvs.map(entry).join(', ')}]}, "starttime": 0, "version": "3.0.66"}`;
	const list = [KERNEL, VIRTUAL, ZFS, BCACHEFS];
	const postinst: Array<[string, string[]]> = [
		[KERNEL, ['install', kv, '--package', KERNEL]],
		[VIRTUAL, []],
		[ZFS, ['initramfs', kv, '--package', ZFS]],
		[BCACHEFS, ['initramfs', kv, '--package', BCACHEFS]],
	];
	const lines = ['#!/bin/bash', 'set -e', `mkdir -p ${JSON.stringify(tmp.path('/var/cache/edb'))}`];
	postinst.forEach(([cpv, args], index) => {
		lines.push(
			`printf '%s' ${JSON.stringify(mtimedb(list.slice(index)))} > ${JSON.stringify(tmp.path('/var/cache/edb/mtimedb'))}`,
		);
		if (args.length > 0)
			lines.push(
				`EBUILD_PHASE=postinst CATEGORY=${cpv.split('/')[0]} "${process.execPath}" ${JSON.stringify(testBin())} --root ${JSON.stringify(root)} ${args.map((a) => JSON.stringify(a)).join(' ')}`,
			);
		if (options.dieAfter === index) lines.push('kill -9 $$');
	});
	lines.push(`printf '%s' '{"starttime": 0}' > ${JSON.stringify(tmp.path('/var/cache/edb/mtimedb'))}`);
	const emerge = join(binDir, 'emerge');
	writeFileSync(emerge, `${lines.join('\n')}\n`);
	chmodSync(emerge, 0o755);
	return { tmp, countFile, binDir, emerge };
}

function runEmerge(s: Scenario): Promise<{ code: number; stderr: string }> {
	return new Promise((resolvePromise) => {
		execFile(
			s.emerge,
			[],
			{
				env: { ...process.env, PATH: `${s.binDir}:${process.env['PATH']}`, NO_COLOR: '1', DIST_KERNEL_ELOG: '' },
				maxBuffer: 64 << 20,
			},
			(error, _stdout, stderr) => {
				resolvePromise({
					code: error ? (typeof error.code === 'number' ? error.code : 137) : 0,
					stderr: String(stderr),
				});
			},
		);
	});
}

const runs = (s: Scenario) => readFileSync(s.countFile, 'utf8').split('\n').filter(Boolean).length;
const measured: Record<string, number> = {};

describe('coalesced initramfs regeneration (dracut runs counted)', () => {
	it('Gentoo behaviour (coalescing off): one dracut run per postinst = 3', async () => {
		const s = scenario({ realDracut: false, coalesce: false });
		const result = await runEmerge(s);
		expect(result.stderr).not.toContain('Deferring');
		expect(result.code).toBe(0);
		measured['off'] = runs(s);
		expect(runs(s)).toBe(3);
	});

	it('coalesced: the kernel waits for its modules, then ONE real dracut run builds an image holding both', async () => {
		const s = scenario({ realDracut: true, coalesce: true });
		const result = await runEmerge(s);
		expect(result.code).toBe(0);
		measured['on'] = runs(s);
		expect(runs(s)).toBe(1);
		expect(result.stderr).toContain(
			`Deferring the installation of kernel ${kernel.kv} until ${ZFS.replace(/-[0-9.]+$/, '')}, ${BCACHEFS.replace(/-[0-9.]+$/, '')}`,
		);
		expect(result.stderr).toContain(`Completing the deferred installation of ${kernel.kv}`);
		const image = s.tmp.path(`/boot/initramfs-${kernel.kv}.img`);
		expect(existsSync(image)).toBe(true);
		expect(existsSync(s.tmp.path(`/var/lib/dist-kernel/pending/${kernel.kv}`))).toBe(false);
		const listing = await listInitramfs(createExec({ logger: createMemoryLogger() }), image);
		const modules = modulesInListing(listing, kernel.kv);
		expect(modules.has('ext4.ko') && modules.has('vfat.ko')).toBe(true);
		// doctor agrees: no error-level finding about this kernel's image.
		const doctor = await runBin(['--root', s.tmp.root, 'doctor', '--json'], {
			env: { DIST_KERNEL_RUNNING_KV: OLD, PATH: `${s.binDir}:${process.env['PATH']}` },
		});
		const findings = JSON.parse(doctor.stdout).findings as Array<{ level: string; id: string; subject: string }>;
		expect(findings.filter((f) => f.level === 'error')).toEqual([]);
	});

	it('an emerge killed after deferring leaves /boot untouched; the next doctor completes the work once', async () => {
		const s = scenario({ realDracut: false, coalesce: true, dieAfter: 2 });
		const result = await runEmerge(s);
		expect(result.code).not.toBe(0);
		expect(runs(s)).toBe(0);
		expect(existsSync(s.tmp.path(`/boot/vmlinuz-${kernel.kv}`))).toBe(false);
		expect(existsSync(s.tmp.path(`/boot/vmlinuz-${OLD}`))).toBe(true);
		const pending = JSON.parse(readFileSync(s.tmp.path(`/var/lib/dist-kernel/pending/${kernel.kv}`), 'utf8'));
		expect(pending).toMatchObject({
			kind: 'install',
			requestedBy: [KERNEL, ZFS],
			waitingFor: ['sys-fs/bcachefs-kmod'],
		});
		const status = await runBin(['--root', s.tmp.root, '--dry-run', 'status', '--json'], {
			env: { DIST_KERNEL_RUNNING_KV: OLD, PATH: `${s.binDir}:${process.env['PATH']}` },
		});
		expect(JSON.parse(status.stdout).pending[0].kv).toBe(kernel.kv);
		expect(runs(s)).toBe(0);
		const doctor = await runBin(['--root', s.tmp.root, 'doctor'], {
			env: { DIST_KERNEL_RUNNING_KV: OLD, PATH: `${s.binDir}:${process.env['PATH']}` },
		});
		expect(doctor.stderr).toContain(`Completing the deferred installation of ${kernel.kv}`);
		expect(runs(s)).toBe(1);
		expect(existsSync(s.tmp.path(`/boot/vmlinuz-${kernel.kv}`))).toBe(true);
		expect(existsSync(s.tmp.path(`/var/lib/dist-kernel/pending/${kernel.kv}`))).toBe(false);
		const again = await runBin(['--root', s.tmp.root, 'status'], {
			env: { DIST_KERNEL_RUNNING_KV: OLD, PATH: `${s.binDir}:${process.env['PATH']}` },
		});
		expect(again.code).toBe(0);
		expect(runs(s)).toBe(1);
	});

	it('a failing completion keeps the record and the previous boot entry, and doctor exits 1', async () => {
		const s = scenario({ realDracut: false, coalesce: true, dieAfter: 0 });
		await runEmerge(s);
		expect(existsSync(s.tmp.path(`/var/lib/dist-kernel/pending/${kernel.kv}`))).toBe(true);
		writeFileSync(
			join(s.binDir, 'dracut'),
			`#!/bin/bash\necho "dracut $*" >> ${JSON.stringify(s.countFile)}\necho 'dracut: cannot find module zfs' >&2\nexit 1\n`,
		);
		const doctor = await runBin(['--root', s.tmp.root, 'doctor', '--json'], {
			env: { DIST_KERNEL_RUNNING_KV: OLD, PATH: `${s.binDir}:${process.env['PATH']}` },
		});
		expect(doctor.code).toBe(1);
		const ids = (JSON.parse(doctor.stdout).findings as Array<{ id: string }>).map((f) => f.id);
		expect(ids).toEqual(
			expect.arrayContaining(['initramfs.pending-failed', 'initramfs.pending', 'kernel.install-pending']),
		);
		expect(runs(s)).toBe(1);
		expect(existsSync(s.tmp.path(`/var/lib/dist-kernel/pending/${kernel.kv}`))).toBe(true);
		expect(existsSync(s.tmp.path(`/boot/vmlinuz-${kernel.kv}`))).toBe(false);
		expect(existsSync(s.tmp.path(`/boot/initramfs-${OLD}.img`))).toBe(true);
	});

	afterAll(() => {
		process.stderr.write(
			`dracut runs for kernel + 2 initramfs module packages: coalescing off ${measured['off']}, on ${measured['on']}\n`,
		);
	});
});
