// Gentoo's installkernel without systemd (and the Debian-derived contract it keeps): preinst.d hooks with
// `KV IMAGE`, the layout's files, postinst.d hooks with `KV INSTALLED-IMAGE`. The files are written by us
// (atomically, with backups) rather than by `install`, so a failing hook rolls the set back.
import { join } from 'node:path';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import type { Backend, KernelArtifacts } from '../files/types';
import { planFor } from '../layouts/install-layout';
import { checkLayout, installWithLayout, listWithLayout, removeWithLayout } from '../layouts/layout-backend';
import { fileName } from '../layouts/layout-plan';
import type { ResolvedLayout } from '../layouts/resolve-layout';
import { listHooks, runHooks } from './hook-dir';

/** Disk path of the installed image, what installkernel passes to postinst.d hooks. */
function installedImage(ctx: RuntimeContext, resolved: ResolvedLayout, artifacts: KernelArtifacts): string {
	const image = planFor(ctx, resolved, artifacts).files.find((f) => f.from === 'image')!;
	const base =
		image.place === 'esp'
			? resolved.places.esp
			: image.place === 'bootRoot'
				? resolved.places.bootRoot
				: resolved.places.boot;
	return join(systemPath(ctx, base ?? '/boot'), ...image.dir, fileName(image, artifacts.kv));
}

function hookEnv(resolved: ResolvedLayout): Record<string, string> {
	return { INSTALLKERNEL_LAYOUT: resolved.layout, INSTALLKERNEL_CONF_ROOT: resolved.installConf.confRoot };
}

export function installkernelBackend(ctx: RuntimeContext): Backend {
	const bootImage = (kv: string) => join(systemPath(ctx, '/boot'), `vmlinuz-${kv}`);
	return {
		name: 'installkernel',
		check: async (kv) => {
			await checkLayout(ctx, kv);
		},
		install: async (artifacts) => {
			const resolved = await checkLayout(ctx, artifacts.kv);
			await runHooks(ctx, 'preinst', [artifacts.kv, artifacts.image], hookEnv(resolved));
			const hooks = [...listHooks(ctx, 'preinst'), ...listHooks(ctx, 'postinst')];
			const { files } = await installWithLayout(ctx, artifacts, {
				hooks,
				inside: async (r) => {
					await runHooks(ctx, 'postinst', [artifacts.kv, installedImage(ctx, r, artifacts)], hookEnv(r));
				},
			});
			return files;
		},
		remove: async (kv) => {
			await runHooks(ctx, 'prerm', [kv, bootImage(kv)]);
			return removeWithLayout(ctx, kv, {
				hooks: [...listHooks(ctx, 'prerm'), ...listHooks(ctx, 'postrm')],
				inside: async (r) => {
					await runHooks(ctx, 'postrm', [kv, bootImage(kv)], hookEnv(r));
				},
			});
		},
		list: () => listWithLayout(ctx, 'installkernel'),
	};
}
