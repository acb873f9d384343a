// BootTransaction.copyAll on a filesystem without hard links (vfat: link(2) fails with EPERM), and the order of
// its renames: one journal write for the whole set, then the new files renamed in back to back.
import * as fs from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { BootTransaction, JOURNAL_PATH } from './transaction';

const control = vi.hoisted(() => ({
	linkless: false,
	renames: [] as string[],
	failRenameTo: undefined as string | undefined,
}));

vi.mock('node:fs', async (importOriginal) => {
	const real = await importOriginal<typeof import('node:fs')>();
	const linkSync: typeof real.linkSync = (existing, target) => {
		if (control.linkless)
			throw Object.assign(new Error(`EPERM: operation not permitted, link '${String(existing)}'`), { code: 'EPERM' });
		real.linkSync(existing, target);
	};
	const renameSync: typeof real.renameSync = (from, to) => {
		if (control.failRenameTo !== undefined && String(to) === control.failRenameTo) {
			control.failRenameTo = undefined; // once: the rollback's own rename to this path must work
			throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}'`), { code: 'EIO' });
		}
		control.renames.push(String(to));
		real.renameSync(from, to);
	};
	return { ...real, linkSync, renameSync, default: { ...real, linkSync, renameSync } };
});

let root: TempRoot;
beforeEach(() => {
	control.linkless = false;
	control.renames = [];
	control.failRenameTo = undefined;
});
afterEach(() => root.cleanup());

const OLD = { 'initramfs-1.0.img': 'old initramfs', 'System.map-1.0': 'old map', 'vmlinuz-1.0': 'old kernel' };

function setUp(): { work: string; files: { source: string; target: string }[] } {
	root = makeTempRoot();
	for (const [name, content] of Object.entries(OLD)) root.write(`/boot/${name}`, content);
	const work = root.path('/work');
	fs.mkdirSync(work);
	const files = Object.keys(OLD).map((name) => {
		fs.writeFileSync(join(work, name), `new ${name}`);
		return { source: join(work, name), target: root.path(`/boot/${name}`) };
	});
	return { work, files };
}

function bootFiles(): Record<string, string> {
	const out: Record<string, string> = {};
	for (const name of readdirSync(root.path('/boot')).sort())
		out[name] = readFileSync(root.path(`/boot/${name}`), 'utf8');
	return out;
}

describe('BootTransaction.copyAll', () => {
	it('writes the journal once for the whole set, then renames the new files in back to back', async () => {
		const { files } = setUp();
		const ctx = runtimeContext(root.root);
		await BootTransaction.run(ctx, 'install 1.0', async (t) => t.copyAll(files));
		const journal = root.path(JOURNAL_PATH);
		const sequence = control.renames.filter((to) => to === journal || files.some((f) => f.target === to));
		// begin (empty journal), the whole set protected, three renames with nothing between them, committed.
		expect(sequence).toEqual([journal, journal, ...files.map((f) => f.target), journal]);
		expect(bootFiles()).toEqual(Object.fromEntries(Object.keys(OLD).map((name) => [name, `new ${name}`])));
	});

	it('without hard links (vfat) moves each previous file aside just before its own swap, and drops the backups', async () => {
		control.linkless = true;
		const { files } = setUp();
		const ctx = runtimeContext(root.root);
		await BootTransaction.run(ctx, 'install 1.0', async (t) => t.copyAll(files));
		expect(bootFiles()).toEqual(Object.fromEntries(Object.keys(OLD).map((name) => [name, `new ${name}`])));
		// Each backup rename comes right before the rename of the new file over the same name.
		const boot = control.renames.filter((to) => to.includes('/boot/'));
		expect(boot).toEqual(
			files.flatMap((f) => [join(root.path('/boot'), `.${f.target.split('/').pop()!}.dk-backup`), f.target]),
		);
	});

	it('without hard links, a rename failing in the middle of the set puts every previous file back', async () => {
		control.linkless = true;
		const { files } = setUp();
		control.failRenameTo = files[1]!.target;
		const ctx = runtimeContext(root.root);
		await expect(BootTransaction.run(ctx, 'install 1.0', async (t) => t.copyAll(files))).rejects.toThrow(
			/cannot write: .*System\.map-1\.0 \(EIO\)/,
		);
		expect(bootFiles()).toEqual(OLD);
		expect(fs.existsSync(root.path(JOURNAL_PATH))).toBe(false);
	});
});
