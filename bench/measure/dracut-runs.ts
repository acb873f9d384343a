// dracut runs during a simulated kernel upgrade with k initramfs module packages. A stand-in `emerge` (a bash
// script of that name, so the runtime finds it among its ancestors, as under Portage) "merges" gentoo-kernel, the
// virtual and k USE="dist-kernel initramfs" module packages: before each pkg_postinst it writes Portage's resume
// list to /var/cache/edb/mtimedb as the Scheduler keeps it, then calls the runtime as the eclasses do. The real
// dracut (small configuration, see bench/lib/fault-root.ts) runs behind a counting wrapper. Compared with
// coalescing off, which is Gentoo's behaviour: one run per postinst.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeVdbPackage } from '../../test/modules/vdb-builder';
import { createDracutCounter } from '../lib/dracut-counter';
import { populateFaultRoot, putFile } from '../lib/fault-root';
import { runProcess } from '../lib/run-process';

export interface DracutRunsPoint {
	modulePackages: number;
	coalesced: number;
	gentooBehaviour: number;
	exitCodes: number[];
}

const KERNEL = 'sys-kernel/gentoo-kernel-6.1.0';
const VIRTUAL = 'virtual/dist-kernel-6.1.0';
const OLD = '5.15.80-gentoo-dist';

function shellQuote(text: string): string {
	return `'${text.replace(/'/g, `'\\''`)}'`;
}

async function upgrade(bin: string, k: number, coalesce: boolean): Promise<{ runs: number; code: number }> {
	const work = mkdtempSync(join(tmpdir(), 'dk-bench-dracut-'));
	try {
		const root = join(work, 'root');
		const { kernel } = await populateFaultRoot(root, { modules: 'full', config: ['install-backend = builtin', `coalesce-initramfs = ${coalesce ? 'yes' : 'no'}`] });
		const kv = kernel.kv;
		// The previous kernel, installed and bootable (a kernel install is deferred only when another one boots).
		writeVdbPackage(root, { cpv: `sys-kernel/gentoo-kernel-5.15.80`, slot: '5.15.80', files: [`/lib/modules/${OLD}/vmlinuz`, `/lib/modules/${OLD}/modules.builtin`] });
		putFile(root, `/lib/modules/${OLD}/vmlinuz`, 'old kernel');
		putFile(root, `/boot/vmlinuz-${OLD}`, 'old kernel');
		putFile(root, `/boot/initramfs-${OLD}.img`, 'old initramfs');
		writeVdbPackage(root, { cpv: 'virtual/dist-kernel-5.15.80', slot: '0/5.15.80' });
		// The kernel being merged: its VDB entry exists when its pkg_postinst runs; the new virtual is in the list.
		writeVdbPackage(root, { cpv: KERNEL, slot: '6.1.0', files: [`/lib/modules/${kv}/vmlinuz`, `/lib/modules/${kv}/modules.builtin`] });
		const modules: string[] = [];
		for (let i = 0; i < k; i += 1) {
			const pn = `bench${i}-kmod`;
			const cpv = `sys-fs/${pn}-1.0.${i}`;
			modules.push(cpv);
			writeVdbPackage(root, {
				cpv,
				use: ['dist-kernel', 'initramfs'],
				iuse: ['dist-kernel', '+initramfs'],
				rdepend: 'virtual/dist-kernel:0/6.1.0=',
				inherited: ['linux-mod-r1'],
				files: [`/lib/modules/${kv}/kernel/fs/fat/vfat.ko`, `/etc/dracut.conf.d/10-${pn}.conf`],
			});
			putFile(root, `/etc/dracut.conf.d/10-${pn}.conf`, 'add_drivers+=" vfat "\n');
		}
		const counter = createDracutCounter(join(work, 'counter'));
		const list = [KERNEL, VIRTUAL, ...modules];
		const mtimedb = (cpvs: string[]) =>
			JSON.stringify({ resume: { favorites: ['@world'], mergelist: cpvs.map((c) => ['ebuild', '/', c, 'merge']) }, starttime: 0, version: '3.0.66' });
		const calls: [string, string[]][] = [[KERNEL, ['install', kv, '--package', KERNEL]], [VIRTUAL, []], ...modules.map((m): [string, string[]] => [m, ['initramfs', kv, '--package', m]])];
		const db = join(root, 'var', 'cache', 'edb', 'mtimedb');
		const lines = ['#!/bin/bash', 'set -e', `mkdir -p ${shellQuote(join(root, 'var', 'cache', 'edb'))}`];
		calls.forEach(([cpv, args], index) => {
			lines.push(`printf '%s' ${shellQuote(mtimedb(list.slice(index)))} > ${shellQuote(db)}`);
			if (args.length > 0) {
				lines.push(`EBUILD_PHASE=postinst CATEGORY=${cpv.split('/')[0]} ${shellQuote(process.execPath)} ${shellQuote(bin)} --root ${shellQuote(root)} ${args.map(shellQuote).join(' ')}`);
			}
		});
		lines.push(`printf '%s' '{"starttime": 0}' > ${shellQuote(db)}`);
		const emerge = join(counter.pathDir, 'emerge');
		writeFileSync(emerge, `${lines.join('\n')}\n`);
		chmodSync(emerge, 0o755);
		const result = await runProcess(emerge, [], { env: { ...process.env, PATH: `${counter.pathDir}:${process.env['PATH']}`, NO_COLOR: '1', DIST_KERNEL_ELOG: '' } });
		if (process.env["DK_BENCH_DEBUG"]) process.stderr.write(result.stderr);
		return { runs: counter.runs().length, code: result.code ?? 137 };
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

export async function measureDracutRuns(bin: string, ks: readonly number[]): Promise<DracutRunsPoint[]> {
	const points: DracutRunsPoint[] = [];
	for (const k of ks) {
		const on = await upgrade(bin, k, true);
		const off = await upgrade(bin, k, false);
		points.push({ modulePackages: k, coalesced: on.runs, gentooBehaviour: off.runs, exitCodes: [on.code, off.code] });
	}
	return points;
}
