// Classic installkernel contract (Debian-derived, Gentoo's sys-kernel/installkernel without systemd): preinst.d
// hooks, the classic /boot files, postinst.d hooks with `KV /boot/vmlinuz-KV`. The files are written by us
// (atomically, with backups) rather than by `cp`, so a failing hook rolls the set back.
import type { RuntimeContext } from '../context';
import { BootTransaction } from '../boot/transaction';
import { classicNames, listClassicKernels, removeClassicFiles, writeClassicFiles } from './classic-files';
import { runHooks } from './hook-dir';
import { resolveBootDir } from '../boot/target-dir';
import { join } from 'node:path';
import type { Backend } from './types';

export function installkernelBackend(ctx: RuntimeContext): Backend {
	const imageArg = (kv: string) => join(resolveBootDir(ctx, '/boot'), classicNames(kv).image);
	return {
		name: 'installkernel',
		install: async (artifacts) => {
			await runHooks(ctx, 'preinst', [artifacts.kv, imageArg(artifacts.kv)]);
			return BootTransaction.run(ctx, `install ${artifacts.kv}`, async (t) => {
				const written = writeClassicFiles(ctx, t, artifacts);
				await runHooks(ctx, 'postinst', [artifacts.kv, imageArg(artifacts.kv)]);
				return written;
			});
		},
		remove: async (kv) => {
			await runHooks(ctx, 'prerm', [kv, imageArg(kv)]);
			return BootTransaction.run(ctx, `remove ${kv}`, async (t) => {
				const removed = removeClassicFiles(ctx, t, kv);
				await runHooks(ctx, 'postrm', [kv, imageArg(kv)]);
				return removed;
			});
		},
		list: async () => listClassicKernels(ctx, 'installkernel'),
	};
}
