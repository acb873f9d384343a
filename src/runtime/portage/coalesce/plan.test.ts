// planInitramfs decisions against synthetic roots and resume lists (no dracut: only 'now'/'deferred' and the
// pending record are checked here; test/modules/coalesce.test.ts runs the whole pipeline and counts dracut).
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { writeKernel, writeModulePackage, writeVirtual } from '../../../../test/modules/vdb-builder';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { clearPending, listPending, readPending } from '../../state/pending';
import { planInitramfs } from './plan';

let tmp: TempRoot;
let old: string;
let cur: string;

function mergeList(cpvs: string[]): void {
	mkdirSync(tmp.path('/var/cache/edb'), { recursive: true });
	writeFileSync(
		tmp.path('/var/cache/edb/mtimedb'),
		JSON.stringify({ resume: { mergelist: cpvs.map((c) => ['ebuild', '/', c, 'merge']) }, starttime: 0 }),
	);
}

const ctx = (env: NodeJS.ProcessEnv = { EBUILD_PHASE: 'postinst' }, coalesce = true) =>
	runtimeContext(tmp.root, { env, config: { coalesceInitramfs: coalesce } });

beforeEach(() => {
	tmp = makeTempRoot('dk-plan-');
	old = writeKernel(tmp.root, '6.1.10');
	cur = writeKernel(tmp.root, '6.1.11');
	writeVirtual(tmp.root, '6.1.11');
	writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', cur, { initramfs: true });
	writeModulePackage(tmp.root, 'sys-fs/bcachefs-kmod-1.4.0', cur, { initramfs: true });
	writeModulePackage(tmp.root, 'x11-drivers/nvidia-drivers-535.1', cur, { initramfs: false });
	tmp.write(`/boot/vmlinuz-${old}`, 'k');
	tmp.write(`/boot/initramfs-${old}.img`, 'i');
});
afterEach(() => tmp.cleanup());

describe('planInitramfs', () => {
	it('defers a kernel whose initramfs modules are still to merge, and records the work', async () => {
		mergeList([
			'sys-kernel/gentoo-kernel-6.1.11',
			'virtual/dist-kernel-6.1.11',
			'x11-drivers/nvidia-drivers-535.1',
			'sys-fs/zfs-kmod-2.2.0',
		]);
		const c = ctx();
		expect(await planInitramfs(c, { kv: cur, package: 'sys-kernel/gentoo-kernel-6.1.11', reason: 'kernel' })).toBe(
			'deferred',
		);
		expect(readPending(tmp.root, cur)).toMatchObject({
			kind: 'install',
			requestedBy: ['sys-kernel/gentoo-kernel-6.1.11'],
			waitingFor: ['sys-fs/zfs-kmod'],
		});
		expect(c.lines.join('\n')).toContain('the current default boot entry stays until then');
	});

	it('coalesces module-only rebuilds: all but the last module defer, the last builds once', async () => {
		mergeList(['sys-fs/zfs-kmod-2.2.0', 'sys-fs/bcachefs-kmod-1.4.0']);
		expect(await planInitramfs(ctx(), { kv: cur, package: 'sys-fs/zfs-kmod-2.2.0', reason: 'module' })).toBe(
			'deferred',
		);
		expect(readPending(tmp.root, cur)?.kind).toBe('initramfs');
		mergeList(['sys-fs/bcachefs-kmod-1.4.0']);
		expect(await planInitramfs(ctx(), { kv: cur, package: 'sys-fs/bcachefs-kmod-1.4.0', reason: 'module' })).toBe(
			'now',
		);
		clearPending(tmp.root, cur);
		expect(listPending(tmp.root)).toEqual([]);
	});

	it('builds now outside an emerge, in pkg_config, without --package, or with coalescing off', async () => {
		mergeList(['sys-fs/zfs-kmod-2.2.0', 'sys-fs/bcachefs-kmod-1.4.0']);
		const req = { kv: cur, package: 'sys-fs/zfs-kmod-2.2.0', reason: 'module' as const };
		expect(await planInitramfs(ctx({ EBUILD_PHASE: 'config' }), req)).toBe('now');
		expect(await planInitramfs(ctx(), { kv: cur, reason: 'manual' })).toBe('now');
		expect(await planInitramfs(ctx({}, false), req)).toBe('now');
		expect(await planInitramfs(ctx({ EBUILD_PHASE: 'postinst', DIST_KERNEL_NO_COALESCE: '1' }), req)).toBe('now');
		// A stale resume list that does not hold the asking package: not inside that merge.
		expect(await planInitramfs(ctx(), { ...req, package: 'sys-fs/zfs-kmod-2.1.0' })).toBe('now');
		expect(listPending(tmp.root)).toEqual([]);
	});

	it('installs a kernel now when only non-initramfs modules follow, when no other kernel boots, or when the rebuilds target another kernel', async () => {
		mergeList(['sys-kernel/gentoo-kernel-6.1.11', 'x11-drivers/nvidia-drivers-535.1']);
		expect(await planInitramfs(ctx(), { kv: cur, package: 'sys-kernel/gentoo-kernel-6.1.11', reason: 'kernel' })).toBe(
			'now',
		);
		mergeList(['sys-kernel/gentoo-kernel-6.1.11', 'virtual/dist-kernel-6.1.10', 'sys-fs/zfs-kmod-2.2.0']);
		expect(await planInitramfs(ctx(), { kv: cur, package: 'sys-kernel/gentoo-kernel-6.1.11', reason: 'kernel' })).toBe(
			'now',
		);
		tmp.cleanup();
		tmp = makeTempRoot('dk-plan-');
		cur = writeKernel(tmp.root, '6.1.11');
		writeModulePackage(tmp.root, 'sys-fs/zfs-kmod-2.2.0', cur, { initramfs: true });
		mergeList(['sys-kernel/gentoo-kernel-6.1.11', 'sys-fs/zfs-kmod-2.2.0']);
		expect(await planInitramfs(ctx(), { kv: cur, package: 'sys-kernel/gentoo-kernel-6.1.11', reason: 'kernel' })).toBe(
			'now',
		);
		expect(listPending(tmp.root)).toEqual([]);
	});

	it('records nothing under --dry-run', async () => {
		mergeList(['sys-fs/zfs-kmod-2.2.0', 'sys-fs/bcachefs-kmod-1.4.0']);
		const c = runtimeContext(tmp.root, { dryRun: true, env: { EBUILD_PHASE: 'postinst' } });
		expect(await planInitramfs(c, { kv: cur, package: 'sys-fs/zfs-kmod-2.2.0', reason: 'module' })).toBe('deferred');
		expect(listPending(tmp.root)).toEqual([]);
	});
});
