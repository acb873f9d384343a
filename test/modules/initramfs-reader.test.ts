// The initramfs reader against images made by the real tools: cpio -o -H newc compressed with gzip, zstd, xz and
// lz4 -l, an uncompressed early-microcode archive in front, and an image made by the real dracut (Debian kernel).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExec, type Exec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import {
	listInitramfs,
	listInitramfsBuffer,
	modulesInListing,
} from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { debianKernel } from '../helpers/debian-kernel';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

const exec = createExec({ logger: createMemoryLogger() });
let tmp: TempRoot;

function sh(file: string, args: string[], options: { cwd?: string; input?: Buffer | string } = {}): Buffer {
	return execFileSync(file, args, {
		cwd: options.cwd,
		input: options.input,
		maxBuffer: 256 * 1024 * 1024,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
}

/** newc archive of every path under `dir`, as `find . | cpio -o -H newc` makes it. */
function cpioOf(dir: string): Buffer {
	const list = sh('find', ['.', '-mindepth', '1'], { cwd: dir });
	return sh('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: dir, input: list });
}

/** What GNU cpio itself lists, normalised like our names. */
function cpioNames(archive: Buffer): string[] {
	return sh('cpio', ['-t', '--quiet'], { input: archive })
		.toString('utf8')
		.split('\n')
		.filter(Boolean)
		.map((n) => n.replace(/^\.\//, ''))
		.sort();
}

let main: Buffer;
let early: Buffer;

beforeAll(() => {
	tmp = makeTempRoot('dk-cpio-');
	const tree = tmp.path('tree');
	mkdirSync(join(tree, 'usr/lib/modules/6.1.11-gentoo-dist/extra'), { recursive: true });
	writeFileSync(join(tree, 'usr/lib/modules/6.1.11-gentoo-dist/extra/zfs.ko'), Buffer.alloc(70_000, 1));
	writeFileSync(join(tree, 'usr/lib/modules/6.1.11-gentoo-dist/extra/spl.ko.zst'), Buffer.alloc(3, 2));
	writeFileSync(join(tree, 'a file with spaces.txt'), 'x');
	writeFileSync(join(tree, 'empty'), '');
	symlinkSync('usr/lib', join(tree, 'lib'));
	main = cpioOf(tree);
	const earlyTree = tmp.path('early');
	mkdirSync(join(earlyTree, 'kernel/x86/microcode'), { recursive: true });
	writeFileSync(join(earlyTree, 'kernel/x86/microcode/GenuineIntel.bin'), Buffer.alloc(1000, 9));
	writeFileSync(join(earlyTree, 'early_cpio'), '1\n');
	early = cpioOf(earlyTree);
});
afterAll(() => tmp.cleanup());

describe('initramfs reader on cpio + compressors', () => {
	const compressors: Array<[string, string, string[]]> = [
		['cpio (none)', 'cat', []],
		['gzip', 'gzip', ['-9c']],
		['zstd', 'zstd', ['-qc', '-19']],
		['xz', 'xz', ['-c', '--check=crc32']],
		['lz4 -l', 'lz4', ['-lc', '-q']],
	];
	it.each(compressors)('lists every entry of a %s image like cpio -t does', async (label, tool, args) => {
		const image = tool === 'cat' ? main : sh(tool, args, { input: main });
		const listing = await listInitramfsBuffer(exec, image);
		expect(listing.entries.map((e) => e.name).sort()).toEqual(cpioNames(main));
		expect(listing.segments.map((s) => s.compression)).toEqual([
			label === 'cpio (none)' ? 'cpio' : tool === 'lz4' ? 'lz4-legacy' : tool,
		]);
		const zfs = listing.entries.find((e) => e.name.endsWith('zfs.ko'))!;
		expect(zfs.type).toBe('file');
		expect(zfs.size).toBe(70_000);
		expect(listing.entries.find((e) => e.name === 'lib')?.type).toBe('symlink');
		expect([...modulesInListing(listing, '6.1.11-gentoo-dist')].sort()).toEqual(['spl.ko', 'zfs.ko']);
	});

	it('reads an early-microcode archive followed by a compressed main archive', async () => {
		for (const [tool, args] of [
			['zstd', ['-qc']],
			['gzip', ['-c']],
			['xz', ['-c', '--check=crc32']],
			['lz4', ['-lc']],
		] as const) {
			const image = Buffer.concat([early, sh(tool, [...args], { input: main })]);
			const listing = await listInitramfsBuffer(exec, image);
			expect(listing.segments.map((s) => s.compression)[0]).toBe('cpio');
			expect(listing.names.has('kernel/x86/microcode/GenuineIntel.bin')).toBe(true);
			expect(listing.names.has('usr/lib/modules/6.1.11-gentoo-dist/extra/zfs.ko')).toBe(true);
			expect(listing.entries.length).toBe(cpioNames(early).length + cpioNames(main).length);
		}
	});

	it('lists an image file like the same bytes in memory: the tool reading the file after an early archive, or the bytes when NUL padding follows', async () => {
		for (const [tool, args] of [
			['zstd', ['-qc']],
			['gzip', ['-c']],
			['xz', ['-c', '--check=crc32']],
			['lz4', ['-lc']],
		] as const) {
			const compressed = sh(tool, [...args], { input: main });
			for (const [label, bytes] of [
				['alone', compressed],
				['after an early archive', Buffer.concat([early, compressed])],
				['with NUL padding', Buffer.concat([early, compressed, Buffer.alloc(300)])],
			] as const) {
				const file = tmp.path(`image-${tool}.img`);
				writeFileSync(file, bytes);
				const fromFile = await listInitramfs(exec, file);
				const fromMemory = await listInitramfsBuffer(exec, bytes);
				expect(fromFile.entries, `${tool} ${label}`).toEqual(fromMemory.entries);
				expect(fromFile.segments, `${tool} ${label}`).toEqual(fromMemory.segments);
				expect(fromFile.names.has('usr/lib/modules/6.1.11-gentoo-dist/extra/zfs.ko'), `${tool} ${label}`).toBe(true);
			}
			// cut in the middle: the tool reading the file fails, typed
			const file = tmp.path(`cut-${tool}.img`);
			writeFileSync(file, Buffer.concat([early, compressed.subarray(0, compressed.length >> 1), Buffer.from([1])]));
			await expect(listInitramfs(exec, file), tool).rejects.toMatchObject({
				code: expect.stringMatching(/^(initramfs\.decompress|cpio\.parse)$/),
			});
		}
		await expect(listInitramfs(exec, tmp.path('tree'))).rejects.toMatchObject({ code: 'initramfs.read' });
		await expect(listInitramfs(exec, tmp.path('no-such-image'))).rejects.toMatchObject({ code: 'initramfs.read' });
	});

	it("reads a tool's output back from a private temporary file, or from the pipe when the temporary directory cannot take it", async () => {
		const zst = tmp.path('spool.img');
		writeFileSync(zst, Buffer.concat([early, sh('zstd', ['-qc'], { input: main })]));
		const expected = (await listInitramfsBuffer(exec, readFileSync(zst))).entries;
		const spoolDir = tmp.path('spool-tmp');
		mkdirSync(spoolDir);
		const saved = process.env['TMPDIR'];
		const ways: string[] = [];
		const noRoom = new Set<string>();
		const spy: Exec = (file, args, options = {}) => {
			const way = options.stdoutFd !== undefined ? 'file' : options.onStdout ? 'pipe' : 'other';
			ways.push(way);
			if (way === 'file' && noRoom.has(file))
				return Promise.resolve({
					command: `${file} ${args.join(' ')}`,
					exitCode: 1,
					stdout: '',
					stderr: 'zstd: error 70 : Write error : cannot write block : No space left on device\n',
					skipped: false,
				});
			return exec(file, args, options);
		};
		try {
			process.env['TMPDIR'] = spoolDir;
			expect((await listInitramfs(spy, zst)).entries).toEqual(expected);
			expect(ways).toEqual(['file']);
			// the temporary file is gone afterwards
			expect(readdirSync(spoolDir)).toEqual([]);
			// the temporary directory fills up: the same listing through the pipe
			ways.length = 0;
			noRoom.add('zstd');
			expect((await listInitramfs(spy, zst)).entries).toEqual(expected);
			expect(ways).toEqual(['file', 'pipe']);
			expect(readdirSync(spoolDir)).toEqual([]);
			// no temporary file can be made at all: the pipe straight away
			ways.length = 0;
			process.env['TMPDIR'] = tmp.path('no-such-dir');
			expect((await listInitramfs(spy, zst)).entries).toEqual(expected);
			expect(ways).toEqual(['pipe']);
		} finally {
			if (saved === undefined) delete process.env['TMPDIR'];
			else process.env['TMPDIR'] = saved;
		}
	});

	it('reports garbage and truncation as typed errors', async () => {
		await expect(listInitramfsBuffer(exec, Buffer.from('hello world, not an initramfs'))).rejects.toMatchObject({
			code: 'initramfs.format',
		});
		await expect(listInitramfsBuffer(exec, main.subarray(0, main.length - 700))).rejects.toMatchObject({
			code: 'cpio.parse',
		});
		const xz = sh('xz', ['-c'], { input: main });
		await expect(listInitramfsBuffer(exec, xz.subarray(0, xz.length >> 1))).rejects.toMatchObject({
			code: 'initramfs.decompress',
		});
		const gz = sh('gzip', ['-c'], { input: main });
		await expect(listInitramfsBuffer(exec, gz.subarray(0, gz.length >> 1))).rejects.toMatchObject({
			code: 'initramfs.decompress',
		});
	});
});

describe('initramfs reader on an image made by the real dracut', () => {
	let image: string;
	let kv: string;
	beforeAll(async () => {
		const kernel = await debianKernel();
		kv = kernel.kv;
		mkdirSync(tmp.path('dracut-conf.d'), { recursive: true });
		writeFileSync(tmp.path('dracut.conf'), '');
		image = tmp.path('initramfs.img');
		sh('dracut', [
			'--quiet',
			'--no-hostonly',
			'--no-early-microcode',
			'--zstd',
			'--conf',
			tmp.path('dracut.conf'),
			'--confdir',
			tmp.path('dracut-conf.d'),
			'--kver',
			kv,
			'--kmoddir',
			kernel.modulesDir,
			'-m',
			'base',
			'--add-drivers',
			'ext4',
			'-f',
			image,
		]);
	});

	it('lists the same entries as lsinitrd and finds the added driver', async () => {
		const listing = await listInitramfs(exec, image);
		const expected = sh('cpio', ['-t', '--quiet'], { input: sh('zstd', ['-dc'], { input: readFileSync(image) }) })
			.toString('utf8')
			.split('\n')
			.filter(Boolean)
			.map((n) => n.replace(/^\.\//, ''))
			.sort();
		expect(listing.entries.map((e) => e.name).sort()).toEqual(expected);
		expect(modulesInListing(listing, kv).has('ext4.ko')).toBe(true);
		expect(listing.names.has('init') || listing.names.has('usr/lib/systemd/systemd')).toBe(true);
	});

	it('reads it behind an early-microcode archive as dracut lays one out', async () => {
		const combined = Buffer.concat([early, readFileSync(image)]);
		const listing = await listInitramfsBuffer(exec, combined);
		expect(listing.segments.map((s) => s.compression)).toEqual(['cpio', 'zstd']);
		expect(modulesInListing(listing, kv).has('jbd2.ko')).toBe(true);
	});
});
