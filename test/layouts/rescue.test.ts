// rescue-image = yes: one generic (--no-hostonly) image with dracut's 0-rescue naming, made from the newest kernel,
// rebuilt only when that changes, untouched by `remove` and `clean`, shown by `status`.
import { afterEach, describe, expect, it } from 'vitest';
import { listInstalledKernels } from '../../src/runtime/boot/backends/select';
import { runClean } from '../../src/runtime/features/clean/run-clean';
import { installKernel } from '../../src/runtime/features/install/install-kernel';
import { removeKernel } from '../../src/runtime/features/install/remove-kernel';
import { collectStatus } from '../../src/runtime/features/status/collect-status';
import { renderStatus } from '../../src/runtime/features/status/render-status';
import {
	addKernel,
	contentOf,
	dracutRuns,
	KV,
	type LayoutRoot,
	layoutContext,
	layoutRoot,
	MACHINE_ID,
} from './layout-root';

const KV2 = '6.12.7-gentoo-dist';
const OLDER = '6.6.60-gentoo-dist';
let root: LayoutRoot | undefined;
afterEach(() => {
	root?.cleanup();
	root = undefined;
});

const rescueRuns = (r: LayoutRoot) => dracutRuns(r).filter((line) => line.includes('--no-hostonly'));

describe('rescue image', () => {
	it('compat: vmlinuz-0-rescue-<machine-id> + initramfs-0-rescue-<machine-id>.img from the newest kernel, refreshed only when it changes', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		const r = root;
		const ctx = layoutContext(r, { rescueImage: true });
		await installKernel(ctx, KV);
		const rescue = [`/boot/initramfs-0-rescue-${MACHINE_ID}.img`, `/boot/vmlinuz-0-rescue-${MACHINE_ID}`];
		expect(r.tree().filter((p) => p.includes('rescue'))).toEqual(rescue);
		expect(rescueRuns(r)).toHaveLength(1);
		expect(rescueRuns(r)[0]).toContain(`--kver ${KV}`);
		expect(contentOf(r, `/boot/vmlinuz-0-rescue-${MACHINE_ID}`)).toBe(`fake kernel image ${KV}\n`);

		// Same newest kernel again, or an older one: no new rescue build.
		await installKernel(ctx, KV);
		addKernel(r, OLDER);
		await installKernel(ctx, OLDER);
		expect(rescueRuns(r)).toHaveLength(1);

		// A newer kernel: rebuilt from it, same names.
		addKernel(r, KV2);
		await installKernel(ctx, KV2);
		expect(rescueRuns(r)).toHaveLength(2);
		expect(contentOf(r, `/boot/vmlinuz-0-rescue-${MACHINE_ID}`)).toBe(`fake kernel image ${KV2}\n`);

		// status shows it; it is not a kernel version anyone removes.
		const status = collectStatus(ctx, { running: KV2 });
		expect(status.rescue).toMatchObject({ kv: KV2, layout: 'compat', complete: true });
		expect(renderStatus(status)).toContain(`Rescue image: built from ${KV2} (layout=compat)`);
		expect((await listInstalledKernels(ctx)).map((k) => k.kv)).toEqual([OLDER, KV, KV2].sort());
		await removeKernel(ctx, OLDER);
		const report = await runClean(ctx, {
			keep: 1,
			pretend: false,
			running: KV2,
			installed: await listInstalledKernels(ctx),
			removeKernel: async (kv) => void (await removeKernel(ctx, kv, { force: true })),
		});
		expect(report).toBeDefined();
		expect(r.tree().filter((p) => p.includes('rescue'))).toEqual(rescue);
		expect(r.tree().filter((p) => p.includes(KV) && !p.includes(KV2))).toEqual([]);
	});

	it('bls: $BOOT_ROOT/<machine-id>/0-rescue/{linux,initrd} and loader/entries/<machine-id>-0-rescue.conf', async () => {
		root = layoutRoot({ layout: 'bls', uki: false, esp: true });
		await installKernel(layoutContext(root, { rescueImage: true }), KV);
		expect(root.tree().filter((p) => p.includes('rescue'))).toEqual([
			`/efi/${MACHINE_ID}/0-rescue/initrd`,
			`/efi/${MACHINE_ID}/0-rescue/linux`,
			`/efi/loader/entries/${MACHINE_ID}-0-rescue.conf`,
		]);
		const entry = contentOf(root, `/efi/loader/entries/${MACHINE_ID}-0-rescue.conf`);
		expect(entry).toContain('title      Gentoo Linux - Rescue Image\n');
		expect(entry).toMatch(/^options +root=\/dev\/vda2 ro quiet rd\.auto=1 systemd\.machine_id=/m);
	});

	it('uki: <ESP>/EFI/Linux/<ID>-0-rescue-<machine-id>.efi, a generic UKI', async () => {
		root = layoutRoot({ layout: 'uki', uki: true, esp: true });
		await installKernel(layoutContext(root, { rescueImage: true }), KV);
		expect(root.tree()).toEqual(
			[`/efi/EFI/Linux/gentoo-${KV}.efi`, `/efi/EFI/Linux/gentoo-0-rescue-${MACHINE_ID}.efi`].sort(),
		);
		expect(rescueRuns(root)[0]).toContain('--uefi');
	});

	it('is off by default', async () => {
		root = layoutRoot({ layout: 'compat', uki: false, esp: false });
		await installKernel(layoutContext(root), KV);
		expect(root.tree().filter((p) => p.includes('rescue'))).toEqual([]);
		expect(rescueRuns(root)).toEqual([]);
		expect(collectStatus(layoutContext(root), { running: KV }).rescue).toBeUndefined();
	});
});
