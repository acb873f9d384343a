// Listing a real dracut image: the runtime's reader (bundled entry bench/entries/list-initramfs.ts, run as a
// process) against `lsinitrd IMAGE`, and the floor both stand on: `zstd -dc IMAGE | cpio -t` (the decompressor and
// GNU cpio reading headers, no listing format, no process of ours). The image is built once with real dracut from the Debian kernel
// (--no-hostonly, modules `base` + `kernel-modules`, zstd as dracut compresses by default here) and cached.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debianKernel } from '../../test/helpers/debian-kernel';
import { BENCH_CACHE, bundleEntry } from '../lib/bundle';
import { runChecked, runProcess } from '../lib/run-process';
import { median, timeInterleaved, timePair } from '../lib/stats';

const TIME = '/usr/bin/time';

export interface InitramfsListingResult {
	image: string;
	imageBytes: number;
	entries: number;
	oursMs: number;
	lsinitrdMs: number;
	speedup: number;
	/** `zstd -dc IMAGE | cpio -t`, interleaved with the two above: what decompressing and walking the headers cost. */
	floorMs: number;
	/** ours / floor: 1 would be no cost beyond the floor. */
	oursOverFloor: number;
	lsinitrdEntries: number;
	runs: number;
	/** CPU time (user+sys, children included: zstd, cpio) via GNU time, medians of the same runs. */
	oursCpuMs: number;
	lsinitrdCpuMs: number;
	cpuSpeedup: number;
	/** The same listing with zstd decompressed by the system tool (not what the runtime ships). */
	systemZstdMs: number;
	speedupSystemZstd: number;
}

export async function benchImage(): Promise<{ image: string; kv: string }> {
	const kernel = await debianKernel();
	const dir = join(BENCH_CACHE, 'initramfs');
	const image = join(dir, `initramfs-${kernel.kv}.img`);
	if (existsSync(image)) return { image, kv: kernel.kv };
	mkdirSync(join(dir, 'conf.d'), { recursive: true });
	writeFileSync(join(dir, 'dracut.conf'), '');
	writeFileSync(
		join(dir, 'conf.d', '10-bench.conf'),
		'hostonly="no"\ndracutmodules=" base kernel-modules "\ncompress="zstd"\nearly_microcode="no"\n',
	);
	const partial = `${image}.partial`;
	runChecked('dracut', [
		'--quiet',
		'--force',
		'--no-hostonly',
		'--conf',
		join(dir, 'dracut.conf'),
		'--confdir',
		join(dir, 'conf.d'),
		'--kver',
		kernel.kv,
		'--kmoddir',
		kernel.modulesDir,
		partial,
	]);
	renameSync(partial, image);
	return { image, kv: kernel.kv };
}

export async function measureInitramfsListing(runs: number): Promise<InitramfsListingResult> {
	const { image } = await benchImage();
	const lister = await bundleEntry('bench/entries/list-initramfs.ts');
	let entries = 0;
	let lsinitrdEntries = 0;
	const cpu = { ours: [] as number[], theirs: [] as number[] };
	// Under GNU time when present (its line goes to stderr, after the program's own output).
	const run = async (argv: string[], samples: number[]) => {
		if (!existsSync(TIME)) return runProcess(argv[0]!, argv.slice(1));
		const r = await runProcess(TIME, ['-f', 'dk-cpu %U %S', ...argv]);
		const m = /dk-cpu ([0-9.]+) ([0-9.]+)\s*$/.exec(r.stderr);
		if (m) samples.push((Number(m[1]) + Number(m[2])) * 1000);
		return r;
	};
	const ours = async () => {
		const r = await run([process.execPath, lister, image], cpu.ours);
		if (r.code !== 0) throw new Error(`our listing failed: ${r.stderr}`);
		entries = r.stdout.trim().split('\n').length;
	};
	const theirs = async () => {
		const r = await run(['lsinitrd', image], cpu.theirs);
		if (r.code !== 0) throw new Error(`lsinitrd failed: ${r.stderr}`);
		lsinitrdEntries = r.stdout.split('\n').filter((l) => /^[-dlcbps][rwxsStT-]{9}/.test(l)).length;
	};
	const variant = async () => {
		const r = await runProcess(process.execPath, [lister, '--system-zstd', image]);
		if (r.code !== 0 || r.stdout.trim().split('\n').length !== entries)
			throw new Error(`system-zstd listing differs or failed: ${r.stderr}`);
	};
	const floor = async () => {
		const r = await runProcess('sh', ['-c', 'zstd -dc -q -- "$1" | cpio -t --quiet', 'sh', image]);
		if (r.code !== 0 || r.stdout.trim().split('\n').length !== entries)
			throw new Error(`zstd -dc | cpio -t failed or listed another number of entries: ${r.stderr}`);
	};
	const [oursTimes, theirTimes, floorTimes] = await timeInterleaved([ours, theirs, floor], runs);
	const timing = { a: oursTimes!.median, b: theirTimes!.median };
	// The warm-up run of each is not counted.
	const oursCpuMs = median(cpu.ours.slice(1));
	const lsinitrdCpuMs = median(cpu.theirs.slice(1));
	const alternative = await timePair(variant, theirs, runs);
	return {
		image,
		imageBytes: statSync(image).size,
		entries,
		oursMs: timing.a,
		lsinitrdMs: timing.b,
		speedup: timing.b / timing.a,
		floorMs: floorTimes!.median,
		oursOverFloor: timing.a / floorTimes!.median,
		lsinitrdEntries,
		runs,
		oursCpuMs,
		lsinitrdCpuMs,
		cpuSpeedup: lsinitrdCpuMs / oursCpuMs,
		systemZstdMs: alternative.a,
		speedupSystemZstd: alternative.b / alternative.a,
	};
}
