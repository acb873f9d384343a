// What verification needs before it boots anything: QEMU, OVMF for a UKI, mkfs for the root's type. Missing
// pieces are typed errors naming the Gentoo package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { createExec, type Exec } from '../../../lib/exec';
import { createMemoryLogger } from '../../../lib/log';
import { checkQemu, findOvmf } from './firmware';
import { makeTestDisk } from './test-disk';

let dir: string | undefined;
afterEach(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

const exec = createExec({ logger: createMemoryLogger() });
const missing: Exec = async (file) => {
	throw new DistKernelError('exec.not-found', `command not found: ${file}`);
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected a rejection');
}

function blkid(image: string, tag: string): string {
	return execFileSync('blkid', ['-p', '-o', 'value', '-s', tag, image], { encoding: 'utf8' }).trim();
}

describe('verification preconditions', () => {
	it('no QEMU: verify.no-qemu naming app-emulation/qemu; no OVMF: verify.no-ovmf naming sys-firmware/edk2-bin', async () => {
		const error = await rejection(checkQemu({ exec: missing }));
		expect(isDistKernelError(error, 'verify.no-qemu')).toBe(true);
		expect((error as DistKernelError).hint).toContain('app-emulation/qemu');
		let ovmf: unknown;
		try {
			findOvmf([['/nonexistent/OVMF_CODE.fd', '/nonexistent/OVMF_VARS.fd']]);
		} catch (e) {
			ovmf = e;
		}
		expect(isDistKernelError(ovmf, 'verify.no-ovmf')).toBe(true);
		expect((ovmf as DistKernelError).hint).toContain('sys-firmware/edk2-bin');
	});

	it('a missing mkfs or an unsupported type is a typed error naming what to do', async () => {
		dir = mkdtempSync(join(tmpdir(), 'dk-disk-'));
		const init = join(dir, 'init-binary');
		writeFileSync(init, 'x');
		const options = { init, initPaths: ['/sbin/init'], nonce: 'n', identity: {} };
		const noMkfs = await rejection(makeTestDisk({ exec: missing }, dir, { ...options, fsType: 'xfs' }));
		expect(isDistKernelError(noMkfs, 'verify.mkfs-missing')).toBe(true);
		expect((noMkfs as DistKernelError).hint).toContain('sys-fs/xfsprogs');
		const unsupported = await rejection(makeTestDisk({ exec }, dir, { ...options, fsType: 'reiserfs' }));
		expect(isDistKernelError(unsupported, 'verify.fs-unsupported')).toBe(true);
	});

	it('test disks carry the identity root= names: ext4 UUID, xfs label, btrfs UUID, a GPT partition with the PARTUUID', async () => {
		dir = mkdtempSync(join(tmpdir(), 'dk-disk-'));
		const init = join(dir, 'init-binary');
		writeFileSync(init, '#!/bin/true\n');
		const uuid = '3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21';
		const make = async (fsType: string, identity: object) => {
			const work = mkdtempSync(join(dir!, `${fsType}-`));
			return (
				await makeTestDisk({ exec }, work, {
					fsType,
					init,
					initPaths: ['/sbin/init', '/usr/lib/systemd/systemd'],
					nonce: 'abc',
					identity,
				})
			).image;
		};
		const ext4 = await make('ext4', { uuid });
		expect(blkid(ext4, 'UUID')).toBe(uuid);
		expect(
			execFileSync('debugfs', ['-R', 'cat /dist-kernel-verify/nonce', ext4], {
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}),
		).toBe('abc\n');
		expect(
			execFileSync('debugfs', ['-R', 'stat /usr/lib/systemd/systemd', ext4], {
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}),
		).toMatch(/Mode:\s+0755/);
		expect(blkid(await make('xfs', { label: 'gentoo' }), 'LABEL')).toBe('gentoo');
		expect(blkid(await make('btrfs', { uuid }), 'UUID')).toBe(uuid);
		const gpt = await make('ext4', { uuid, partition: { partuuid: '0fc63daf-8483-4772-8e79-3d69d8477de4' } });
		const table = JSON.parse(execFileSync('sfdisk', ['--json', gpt], { encoding: 'utf8' })) as {
			partitiontable: { partitions: Array<{ uuid: string; start: number }> };
		};
		expect(table.partitiontable.partitions).toHaveLength(1);
		expect(table.partitiontable.partitions[0]!.uuid.toLowerCase()).toBe('0fc63daf-8483-4772-8e79-3d69d8477de4');
		expect(table.partitiontable.partitions[0]!.start).toBe(2048);
		expect(blkid(gpt, 'PTTYPE')).toBe('gpt');
	});
});
