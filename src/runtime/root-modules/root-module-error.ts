// The refusal: no image is built for a kernel that lacks a module the root file system needs.
import { DistKernelError } from '../../lib/errors';
import type { RootCriticalModule } from './root-critical';

export function rootModuleError(kv: string, missing: readonly RootCriticalModule[]): DistKernelError {
	const packages = [...new Set(missing.map((m) => m.provider).filter((p): p is string => p !== undefined))];
	const what = missing.map((m) => `${m.name} (${m.why})`).join(', ');
	return new DistKernelError('initramfs.root-module-missing', `not building an image for kernel ${kv}: it could not mount the root file system without ${what}, which is not built for ${kv}`, {
		hint:
			packages.length > 0
				? `rebuild ${packages.join(' ')} for ${kv} (emerge --oneshot ${packages.join(' ')}), then run: dist-kernel install ${kv}`
				: `install the module${missing.length > 1 ? 's' : ''} for ${kv} under /lib/modules/${kv}, then run: dist-kernel install ${kv}`,
	});
}
