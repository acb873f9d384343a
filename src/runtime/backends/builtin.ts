// Built-in backend: the classic files straight into /boot, nothing else run.
import type { RuntimeContext } from '../context';
import { BootTransaction } from '../boot/transaction';
import { listClassicKernels, removeClassicFiles, writeClassicFiles } from './classic-files';
import type { Backend } from './types';

export function builtinBackend(ctx: RuntimeContext): Backend {
	return {
		name: 'builtin',
		install: (artifacts) => BootTransaction.run(ctx, `install ${artifacts.kv}`, async (t) => writeClassicFiles(ctx, t, artifacts)),
		remove: (kv) => BootTransaction.run(ctx, `remove ${kv}`, async (t) => removeClassicFiles(ctx, t, kv)),
		list: async () => listClassicKernels(ctx, 'builtin'),
	};
}
