// Built-in backend: the layout's files (install.conf `layout`, compat by default) written by us, nothing else run.
import type { RuntimeContext } from '../../context';
import type { Backend } from '../files/types';
import { checkLayout, installWithLayout, listWithLayout, removeWithLayout } from '../layouts/layout-backend';

export function builtinBackend(ctx: RuntimeContext): Backend {
	return {
		name: 'builtin',
		check: async (kv) => {
			await checkLayout(ctx, kv);
		},
		install: async (artifacts) => (await installWithLayout(ctx, artifacts)).files,
		remove: (kv) => removeWithLayout(ctx, kv),
		list: () => listWithLayout(ctx, 'builtin'),
	};
}
