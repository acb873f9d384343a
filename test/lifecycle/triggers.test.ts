// Every initramfs trigger Gentoo has, alone and together, in list order and in `--jobs` merge orders: the kernel
// (install), module packages with USE="dist-kernel initramfs", linux-firmware and intel-microcode (`--all`). The
// emerges run our eclasses under the PMS shim (emerge-sim.ts) with Portage's resume list kept as the Scheduler
// keeps it; `dracut` logs each run's --kver. Within one emerge each kernel gets exactly one image; Gentoo's
// behaviour (coalesce-initramfs = no) is counted beside it. The real-dracut case reads every final image back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { kernelImages } from '../../src/runtime/images/initramfs-reader/kernel-images';
import { modulesInListing } from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { runBin } from '../helpers/bin';
import { type DebianKernel, debianKernel } from '../helpers/debian-kernel';
import { type SimPackage, simulateEmerge } from './emerge-sim';
import {
	FIRMWARE,
	FIRMWARE_FILE,
	kernelPackage,
	MICROCODE,
	makeWorld,
	modulePackage,
	runsPerKernel,
	triggerPackage,
	virtualPackage,
	type World,
	type WorldOptions,
} from './triggers-world';

let kernel: DebianKernel;
const worlds: World[] = [];
beforeAll(async () => {
	kernel = await debianKernel();
});
afterAll(() => {
	for (const w of worlds) w.cleanup();
});

function world(options: WorldOptions): World {
	const w = makeWorld(kernel, options);
	worlds.push(w);
	return w;
}

/** The whole update: kernel C, its virtual, both module packages rebuilt, linux-firmware and intel-microcode. */
function fullUpdate(w: World): SimPackage[] {
	return [
		kernelPackage(w, kernel),
		virtualPackage(w),
		...w.modules.map((m) => modulePackage(w, kernel, m)),
		triggerPackage(w, FIRMWARE),
		triggerPackage(w, MICROCODE),
	];
}

const names = (packages: readonly SimPackage[], ...keys: string[]) =>
	keys.map((key) => packages.find((p) => p.cpv.startsWith(`${key}-`))!.cpv);

describe('one image per kernel per emerge, for every trigger', () => {
	it('linux-firmware alone: `--all` rebuilds each installed kernel once, in its own form', async () => {
		const w = world({ realDracut: false });
		const result = await simulateEmerge(w.sim, 'firmware', [triggerPackage(w, FIRMWARE)]);
		expect(result.code, result.output.slice(-3000)).toBe(0);
		expect(runsPerKernel(w.dracutRuns())).toEqual({ [w.kernels.a.kv]: 1, [w.kernels.b.kv]: 1 });
		expect(readFileSync(join(w.root, 'boot', `initramfs-${w.kernels.b.kv}.img`), 'utf8')).toContain(
			'placeholder image',
		);
	});

	it('each kernel keeps its own form: a kernel installed as a UKI gets a new UKI, the others a new initramfs', async () => {
		const w = world({ realDracut: false });
		const { a, b } = w.kernels;
		// B installed as a real UKI (uki = yes for that one install), then the configuration back to initramfs.
		const conf = join(w.root, 'etc', 'dist-kernel', 'dist-kernel.conf');
		const plain = readFileSync(conf, 'utf8');
		writeFileSync(conf, `${plain}uki = yes\n`);
		const installed = await runBin(['--root', w.root, 'install', b.kv], { env: { ...w.env, DK_REAL_DRACUT: '1' } });
		expect(installed.code, installed.stderr).toBe(0);
		writeFileSync(conf, plain);
		const exec = createExec({ logger: createMemoryLogger() });
		expect(kernelImages(exec, w.root, b.kv).map((i) => i.path)).toEqual([`/boot/vmlinuz-${b.kv}`]);
		const before = w.dracutArgs().length;
		const result = await simulateEmerge(w.sim, 'firmware-forms', [triggerPackage(w, FIRMWARE)]);
		expect(result.code, result.output.slice(-3000)).toBe(0);
		const runs = w.dracutArgs().slice(before);
		expect(runs).toHaveLength(2);
		expect(runs.find((r) => r.includes(`--kver ${a.kv}`))).toContain('--no-uefi');
		expect(runs.find((r) => r.includes(`--kver ${b.kv}`))).toContain('--uefi ');
		expect(readFileSync(join(w.root, 'boot', `initramfs-${b.kv}.img`))).toHaveLength(0);
	});

	it('intel-microcode alone: the same', async () => {
		const w = world({ realDracut: false });
		const result = await simulateEmerge(w.sim, 'microcode', [triggerPackage(w, MICROCODE)]);
		expect(result.code, result.output.slice(-3000)).toBe(0);
		expect(runsPerKernel(w.dracutRuns())).toEqual({ [w.kernels.a.kv]: 1, [w.kernels.b.kv]: 1 });
	});

	it('linux-firmware and intel-microcode together: the first defers, the last builds each kernel once (Gentoo: twice)', async () => {
		const w = world({ realDracut: false });
		const result = await simulateEmerge(w.sim, 'both', [triggerPackage(w, FIRMWARE), triggerPackage(w, MICROCODE)]);
		expect(result.code, result.output.slice(-3000)).toBe(0);
		expect(result.output).toContain(`Deferring the initramfs of ${w.kernels.a.kv}`);
		expect(runsPerKernel(w.dracutRuns())).toEqual({ [w.kernels.a.kv]: 1, [w.kernels.b.kv]: 1 });

		const gentoo = world({ realDracut: false, coalesce: false });
		const off = await simulateEmerge(gentoo.sim, 'both', [
			triggerPackage(gentoo, FIRMWARE),
			triggerPackage(gentoo, MICROCODE),
		]);
		expect(off.code, off.output.slice(-3000)).toBe(0);
		expect(runsPerKernel(gentoo.dracutRuns())).toEqual({ [gentoo.kernels.a.kv]: 2, [gentoo.kernels.b.kv]: 2 });
	});

	const orders: Array<[string, (p: SimPackage[]) => string[]]> = [
		['list order', (p) => p.map((x) => x.cpv)],
		[
			'--jobs: firmware and microcode merge before the kernel',
			(p) =>
				names(
					p,
					FIRMWARE,
					MICROCODE,
					'sys-kernel/gentoo-kernel',
					'virtual/dist-kernel',
					'sys-fs/zfs-kmod',
					'sys-fs/bcachefs-kmod',
				),
		],
		[
			'--jobs: interleaved',
			(p) =>
				names(
					p,
					'sys-kernel/gentoo-kernel',
					FIRMWARE,
					'virtual/dist-kernel',
					'sys-fs/zfs-kmod',
					MICROCODE,
					'sys-fs/bcachefs-kmod',
				),
		],
		[
			'--jobs: microcode first, firmware between the modules',
			(p) =>
				names(
					p,
					MICROCODE,
					'sys-kernel/gentoo-kernel',
					'virtual/dist-kernel',
					'sys-fs/bcachefs-kmod',
					FIRMWARE,
					'sys-fs/zfs-kmod',
				),
		],
	];
	for (const [label, order] of orders) {
		it(`kernel + 2 initramfs modules + firmware + microcode, ${label}: one dracut run per kernel`, async () => {
			const w = world({ realDracut: false });
			const packages = fullUpdate(w);
			const result = await simulateEmerge(w.sim, 'full', packages, { mergeOrder: order(packages) });
			if (process.env['DK_TRIGGERS_DEBUG'])
				writeFileSync(`/tmp/triggers-${label.replace(/\W+/g, '_')}.log`, result.output);
			expect(result.code, result.output.slice(-4000)).toBe(0);
			const { a, b, c } = w.kernels;
			expect(runsPerKernel(w.dracutRuns())).toEqual({ [a.kv]: 1, [b.kv]: 1, [c.kv]: 1 });
			for (const kv of [a.kv, b.kv, c.kv])
				expect(readFileSync(join(w.root, 'boot', `initramfs-${kv}.img`), 'utf8')).toContain(
					`placeholder image for ${kv}`,
				);
			const status = await runBin(['--root', w.root, 'status', '--json'], { env: w.env });
			expect(JSON.parse(status.stdout).pending).toEqual([]);
		});
	}

	it("Gentoo's behaviour for the same update (coalescing off): 1 + 2 + 3 + 3 runs", async () => {
		const w = world({ realDracut: false, coalesce: false });
		const result = await simulateEmerge(w.sim, 'full', fullUpdate(w));
		expect(result.code, result.output.slice(-4000)).toBe(0);
		const { a, b, c } = w.kernels;
		expect(runsPerKernel(w.dracutRuns())).toEqual({ [a.kv]: 2, [b.kv]: 2, [c.kv]: 5 });
	});

	it('a killed emerge: status and doctor show who asked for what; the next doctor builds each owed kernel once', async () => {
		const w = world({ realDracut: false });
		const packages = fullUpdate(w);
		const order = names(
			packages,
			'sys-kernel/gentoo-kernel',
			FIRMWARE,
			'virtual/dist-kernel',
			'sys-fs/zfs-kmod',
			MICROCODE,
			'sys-fs/bcachefs-kmod',
		);
		const result = await simulateEmerge(w.sim, 'killed', packages, { mergeOrder: order, killAfter: order[3] });
		expect(result.code).not.toBe(0);
		expect(w.dracutRuns()).toEqual([]);
		const { a, b, c } = w.kernels;
		const status = await runBin(['--root', w.root, '--dry-run', 'status', '--json'], { env: w.env });
		const pending = JSON.parse(status.stdout).pending as Array<{
			kv: string;
			kind: string;
			requestedBy: string[];
			waitingFor: string[];
		}>;
		const byKv = Object.fromEntries(pending.map((p) => [p.kv, p]));
		const firmware = order[1]!;
		expect(byKv[c.kv]).toMatchObject({ kind: 'install', requestedBy: [order[0], firmware, order[3]] });
		expect(byKv[a.kv]).toMatchObject({ kind: 'initramfs', requestedBy: [firmware] });
		expect(byKv[a.kv]!.waitingFor).toContain(MICROCODE);
		expect(byKv[b.kv]).toMatchObject({ kind: 'initramfs', requestedBy: [firmware] });
		const text = await runBin(['--root', w.root, '--dry-run', 'status'], { env: w.env });
		expect(text.stdout).toContain(`Pending initramfs work for ${a.kv} (initramfs)`);
		expect(text.stdout).toContain(`asked by ${firmware}`);
		const doctor = await runBin(['--root', w.root, 'doctor'], { env: w.env });
		expect(doctor.stderr).toContain(`Completing the deferred installation of ${c.kv}`);
		expect(runsPerKernel(w.dracutRuns())).toEqual({ [a.kv]: 1, [b.kv]: 1, [c.kv]: 1 });
		const again = await runBin(['--root', w.root, 'status', '--json'], { env: w.env });
		expect(JSON.parse(again.stdout).pending).toEqual([]);
		expect(w.dracutRuns()).toHaveLength(3);
	});
});

describe('real dracut: kernel upgrade + 2 initramfs modules + linux-firmware, 3 kernels', () => {
	it('3 dracut runs (Gentoo: 1 + 2 + 3); every final image holds the new firmware, the new kernel its modules', async () => {
		const w = world({ realDracut: true });
		const packages = [
			kernelPackage(w, kernel),
			virtualPackage(w),
			...w.modules.map((m) => modulePackage(w, kernel, m)),
			triggerPackage(w, FIRMWARE),
		];
		const order = names(
			packages,
			'sys-kernel/gentoo-kernel',
			'virtual/dist-kernel',
			FIRMWARE,
			'sys-fs/zfs-kmod',
			'sys-fs/bcachefs-kmod',
		);
		const result = await simulateEmerge(w.sim, 'real', packages, { mergeOrder: order });
		expect(result.code, result.output.slice(-4000)).toBe(0);
		const { a, b, c } = w.kernels;
		expect(runsPerKernel(w.dracutRuns())).toEqual({ [a.kv]: 1, [b.kv]: 1, [c.kv]: 1 });
		const exec = createExec({ logger: createMemoryLogger() });
		for (const kv of [a.kv, b.kv, c.kv]) {
			const images = kernelImages(exec, w.root, kv);
			expect(images.map((i) => i.path)).toEqual([`/boot/initramfs-${kv}.img`]);
			const listing = await images[0]!.read();
			expect(
				[...listing.names].some((n) => n.endsWith(`lib/firmware/${FIRMWARE_FILE}`)),
				`${kv} has the new firmware`,
			).toBe(true);
			const modules = modulesInListing(listing, kv);
			if (kv === c.kv) expect(modules.has('zfs.ko') && modules.has('bcachefs.ko')).toBe(true);
		}
		const doctor = await runBin(['--root', w.root, 'doctor', '--json'], { env: w.env });
		const findings = JSON.parse(doctor.stdout).findings as Array<{ level: string; id: string }>;
		expect(findings.filter((f) => f.level === 'error')).toEqual([]);
	});
});

/** A plain newc initramfs holding `files` (paths inside the image), written with cpio(1). */
function writeImage(path: string, files: string[]): void {
	const dir = mkdtempSync(join(tmpdir(), 'dk-img-'));
	try {
		for (const f of files) {
			mkdirSync(join(dir, f, '..'), { recursive: true });
			writeFileSync(join(dir, f), 'x');
		}
		writeFileSync(
			path,
			execFileSync('bash', ['-c', 'find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet'], {
				cwd: dir,
				maxBuffer: 1 << 24,
			}),
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('root-critical modules (root on zfs)', () => {
	it('a kernel upgrade without zfs-kmod in the emerge is refused: typed error naming the package, /boot untouched', async () => {
		const w = world({ realDracut: false, rootFs: 'zfs' });
		const result = await simulateEmerge(w.sim, 'no-zfs', [kernelPackage(w, kernel), virtualPackage(w)]);
		expect(result.code).not.toBe(0);
		expect(result.output).toContain(
			`not building an image for kernel ${w.kernels.c.kv}: it could not mount the root file system without zfs (the root file system is zfs)`,
		);
		expect(result.output).toContain('emerge --oneshot sys-fs/zfs-kmod');
		expect(w.dracutRuns()).toEqual([]);
		expect(existsSync(join(w.root, 'boot', `vmlinuz-${w.kernels.c.kv}`))).toBe(false);
		const direct = await runBin(['--root', w.root, 'install', w.kernels.c.kv], { env: w.env });
		expect(direct.code).toBe(1);
		expect(direct.stderr).toContain(`not building an image for kernel ${w.kernels.c.kv}`);
		expect(direct.stderr).toContain('emerge --oneshot sys-fs/zfs-kmod');
	});

	it('the kernel waits for zfs-kmod even with USE=-initramfs on it; firmware keeps a kernel that lost zfs on its old image', async () => {
		const w = world({ realDracut: false, rootFs: 'zfs' });
		const zfs = w.modules[0]!;
		const packages = [
			kernelPackage(w, kernel),
			virtualPackage(w),
			modulePackage(w, kernel, zfs, { initramfs: false }),
			triggerPackage(w, FIRMWARE),
		];
		const result = await simulateEmerge(w.sim, 'zfs-late', packages, {
			mergeOrder: names(packages, 'sys-kernel/gentoo-kernel', FIRMWARE, 'virtual/dist-kernel', zfs.key),
		});
		if (process.env['DK_TRIGGERS_DEBUG']) writeFileSync('/tmp/triggers-zfs-late.log', result.output);
		expect(result.code, result.output.slice(-4000)).toBe(0);
		const { a, b, c } = w.kernels;
		expect(result.output).toContain(`Deferring the installation of kernel ${c.kv} until`);
		expect(result.output).toContain('the root file system needs zfs from sys-fs/zfs-kmod');
		// A never had zfs (kept, with a warning); B still has it when the firmware merges; C once zfs-kmod merged.
		expect(runsPerKernel(w.dracutRuns())).toEqual({ [b.kv]: 1, [c.kv]: 1 });
		expect(result.output).toContain(`not building an image for kernel ${a.kv}`);
		expect(result.output).toContain('keeping its current image');
		expect(readFileSync(join(w.root, 'boot', `initramfs-${a.kv}.img`), 'utf8')).toBe('old initramfs\n');
		expect(readFileSync(join(w.root, 'boot', `initramfs-${c.kv}.img`), 'utf8')).toContain(
			`placeholder image for ${c.kv}`,
		);
	});

	it('doctor reports a kernel whose image lacks the module the root file system needs', async () => {
		const w = world({ realDracut: false, rootFs: 'zfs' });
		const { a, b } = w.kernels;
		writeImage(join(w.root, 'boot', `initramfs-${a.kv}.img`), [`usr/lib/modules/${a.kv}/extra/zfs.ko`]);
		writeImage(join(w.root, 'boot', `initramfs-${b.kv}.img`), [`usr/lib/modules/${b.kv}/kernel/fs/fat/vfat.ko`]);
		const doctor = await runBin(['--root', w.root, 'doctor', '--json'], { env: w.env });
		expect(doctor.code).toBe(1);
		const findings = (
			JSON.parse(doctor.stdout).findings as Array<{ id: string; subject: string; message: string; fix: string }>
		).filter((f) => f.id === 'initramfs.root-module-missing');
		expect(findings).toEqual([
			{
				id: 'initramfs.root-module-missing',
				level: 'error',
				subject: `/boot/initramfs-${b.kv}.img`,
				message: `/boot/initramfs-${b.kv}.img lacks zfs (the root file system is zfs): kernel ${b.kv} would not mount the root file system`,
				fix: `dist-kernel initramfs ${b.kv}`,
			},
		]);
	});
});
