// Fuzzing the pure parsers with thousands of mutated inputs: each either returns a value or throws a typed
// DistKernelError, never anything else (no TypeError, RangeError, stack overflow…).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isDistKernelError } from '../../src/lib/errors';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { parseAtom, parseCpv, parseDependAtoms } from '../../src/parsers/atom';
import { parseCpioArchive, parseCpioSequence } from '../../src/parsers/cpio';
import { efiBoolean } from '../../src/parsers/efi-variable';
import { detectCompression } from '../../src/parsers/initramfs-compression';
import { parseMtimedb } from '../../src/parsers/mtimedb';
import { findFirmwareRefusal } from '../../src/parsers/ovmf-console';
import { addVariables, guidBytes, parseVarStore } from '../../src/parsers/ovmf-vars';
import { parseContents } from '../../src/parsers/vdb-contents';
import { parseVdbEntry, VDB_KEYS, type VdbFiles } from '../../src/parsers/vdb-entry';
import { listInitramfsBuffer } from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { createRandom, mutate, mutateText } from '../helpers/fuzz-mutate';
import { makeTempRoot } from '../helpers/temp-root';

const ROUNDS = 3000;

/** Format-specific tokens on top of the helper's common ones. */
const TOKENS = ['_p', ' -> ', '||', '07070', '070701', 'TRAILER!!!', 'ffffffff', '\ud83d', '>=', '::', '/0/'];

function expectTyped(fn: () => unknown, input: unknown): void {
	try {
		fn();
	} catch (error) {
		if (!isDistKernelError(error)) {
			throw new Error(
				`untyped ${String(error)} for input ${JSON.stringify(typeof input === 'string' ? input : String(input)).slice(0, 300)}`,
			);
		}
	}
}

const CONTENTS_SEED = [
	'dir /lib/modules/6.1.11-gentoo-dist',
	'obj /lib/modules/6.1.11-gentoo-dist/extra/zfs.ko 0123456789abcdef0123456789abcdef 1676000000',
	'sym /usr/lib/a b -> ../c d 1676000001',
	'sym /usr/lib/old -> new (2, 3L, 4L, 5, 6, 7, 8L, 9, 1234567, 11)',
	'dev /dev/x',
	'fif /run/y',
	'',
].join('\n');

const VDB_SEED: VdbFiles = {
	CATEGORY: 'sys-fs\n',
	PF: 'zfs-kmod-2.2.0-r1\n',
	SLOT: '0/2.2\n',
	USE: 'amd64 dist-kernel initramfs\n',
	IUSE: '+dist-kernel +initramfs debug\n',
	RDEPEND:
		'sys-apps/kmod[tools] || ( a/b c/d ) virtual/dist-kernel:0/6.1.11= >=dev-libs/x-1.2_p3-r1:2=::gentoo[foo,-bar(+)]\n',
	repository: 'gentoo\n',
	COUNTER: '42\n',
	BUILD_TIME: '1676000000\n',
	INHERITED: 'linux-mod-r1\n',
};

const MTIMEDB_SEED = JSON.stringify({
	resume: {
		mergelist: [
			['ebuild', '/', 'sys-kernel/gentoo-kernel-6.1.12', 'merge'],
			['binary', '/', 'sys-fs/zfs-kmod-2.2.0-r1', 'merge'],
		],
		favorites: ['@world'],
	},
	starttime: 0,
});

describe('parser fuzzing (mutated inputs raise only typed errors)', () => {
	it(`CONTENTS: ${ROUNDS} mutations`, () => {
		const rand = createRandom(1);
		for (let i = 0; i < ROUNDS; i++) {
			const input = mutateText(rand, CONTENTS_SEED, TOKENS);
			expectTyped(() => parseContents(input), input);
		}
	});

	it(`VDB entries: ${ROUNDS} mutations of one key at a time`, () => {
		const rand = createRandom(2);
		for (let i = 0; i < ROUNDS; i++) {
			const key = VDB_KEYS[Math.floor(rand() * VDB_KEYS.length)]!;
			const files = { ...VDB_SEED, [key]: mutateText(rand, VDB_SEED[key] ?? '', TOKENS) };
			const dir = rand() < 0.1 ? mutateText(rand, 'sys-fs/zfs-kmod-2.2.0-r1', TOKENS) : 'sys-fs/zfs-kmod-2.2.0-r1';
			expectTyped(() => parseVdbEntry(dir, files), files[key]);
		}
	});

	it(`atoms, dependency strings and CPVs: ${ROUNDS} mutations each`, () => {
		const rand = createRandom(3);
		for (let i = 0; i < ROUNDS; i++) {
			const atom = mutateText(rand, '>=dev-libs/x-1.2_p3-r1:2/2.1=::gentoo[foo,-bar(+)]', TOKENS);
			expectTyped(() => parseAtom(atom), atom);
			const dep = mutateText(rand, VDB_SEED.RDEPEND!, TOKENS);
			expectTyped(() => parseDependAtoms(dep), dep);
			const cpv = mutateText(rand, 'sys-kernel/gentoo-kernel-bin-6.1.11_p1-r2', TOKENS);
			expectTyped(() => parseCpv(cpv), cpv);
		}
	});

	it(`mtimedb: ${ROUNDS} mutations`, () => {
		const rand = createRandom(4);
		for (let i = 0; i < ROUNDS; i++) {
			const input = mutateText(rand, MTIMEDB_SEED, TOKENS);
			expectTyped(() => parseMtimedb(input), input);
		}
	});

	it(`OVMF variable stores, efivars and the OVMF console: ${ROUNDS} mutations each`, () => {
		// A small store (firmware volume header, store header, two records, erased space) as the seed.
		const blank = Buffer.alloc(72 + 28 + 512, 0xff);
		blank.fill(0, 0, 100);
		guidBytes('fff12b8d-7696-4c8b-a985-2747075b4f50').copy(blank, 16);
		blank.write('_FVH', 40, 'latin1');
		blank.writeUInt16LE(72, 48);
		guidBytes('aaf32c78-947b-439a-a180-2e144ec37792').copy(blank, 72);
		blank.writeUInt32LE(28 + 512, 88);
		blank[92] = 0x5a;
		blank[93] = 0xfe;
		const guid = 'd719b2cb-3d3a-4596-a3bc-dad00e67656f';
		const store = addVariables(blank, [
			{ name: 'db', guid, attributes: 0x27, data: Buffer.alloc(40, 1) },
			{ name: 'SecureBootEnable', guid, attributes: 3, data: Buffer.from([1]) },
		]);
		const console =
			'BdsDxe: failed to load Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0): Access Denied\r\n';
		const rand = createRandom(7);
		for (let i = 0; i < ROUNDS; i++) {
			const input = mutate(rand, store, TOKENS);
			expectTyped(
				() => addVariables(input, [{ name: 'PK', guid, attributes: 0x27, data: Buffer.alloc(8) }]),
				input.toString('latin1'),
			);
			const small = mutate(rand, Buffer.from([6, 0, 0, 0, 1]), TOKENS);
			expect([true, false, undefined]).toContain(efiBoolean(small));
			const text = mutateText(rand, console, TOKENS);
			expectTyped(() => findFirmwareRefusal(text), text);
		}
		expectTyped(() => parseVarStore(Buffer.alloc(0)), '');
	});

	it(`cpio archives and initramfs images: ${ROUNDS} byte-level mutations`, async () => {
		const tmp = makeTempRoot('dk-fuzz-');
		try {
			const tree = tmp.path('tree');
			mkdirSync(join(tree, 'usr/lib/modules/6.1.11/extra'), { recursive: true });
			writeFileSync(join(tree, 'usr/lib/modules/6.1.11/extra/zfs.ko'), 'module');
			writeFileSync(join(tree, 'init'), '#!/bin/sh\n');
			const list = execFileSync('find', ['.', '-mindepth', '1'], { cwd: tree });
			const archive = execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: tree, input: list });
			const rand = createRandom(5);
			const exec = createExec({ logger: createMemoryLogger() });
			for (let i = 0; i < ROUNDS; i++) {
				const input = mutate(rand, archive, TOKENS);
				expectTyped(() => parseCpioArchive(input), input.toString('latin1'));
				expectTyped(() => parseCpioSequence(input), input.toString('latin1'));
				expect(typeof detectCompression(input)).toBe('string');
				// Gzip-wrapped mutations go through the whole reader (node:zlib, no subprocess).
				if (i % 10 === 0) {
					const image = rand() < 0.5 ? gzipSync(input) : mutate(rand, gzipSync(archive), TOKENS);
					try {
						await listInitramfsBuffer(exec, image);
					} catch (error) {
						if (!isDistKernelError(error)) throw new Error(`untyped ${String(error)} from the initramfs reader`);
					}
				}
			}
		} finally {
			tmp.cleanup();
		}
	});
});
