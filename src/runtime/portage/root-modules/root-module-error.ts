// The refusal: no image is built for a kernel that lacks a module the root file system needs.
import { DistKernelError } from '../../../lib/errors';
import type { RootCriticalModule } from './root-critical';

export function rootModuleError(kv: string, missing: readonly RootCriticalModule[]): DistKernelError {
	const packages = [...new Set(missing.map((m) => m.provider).filter((p): p is string => p !== undefined))];
	const what = missing.map((m) => `${m.name} (${m.why})`).join(', ');
	const hints = [
		packages.length > 0
			? `rebuild ${packages.join(' ')} for ${kv} (emerge --oneshot ${packages.join(' ')}), then run: dist-kernel install ${kv}`
			: `install the module${missing.length > 1 ? 's' : ''} for ${kv} under /lib/modules/${kv}, then run: dist-kernel install ${kv}`,
	];
	// No installed package provides it: typically a module package that was unmerged (Portage leaves its files
	// under /lib/modules, UNINSTALL_IGNORE) while the current image still loads it.
	const orphans = missing.filter((m) => m.provider === undefined && m.loadedBy !== undefined);
	for (const image of new Set(orphans.map((m) => m.loadedBy!))) {
		const names = orphans
			.filter((m) => m.loadedBy === image)
			.map((m) => m.name)
			.join(', ');
		hints.push(
			`if ${names} was removed on purpose (no installed package provides it), rebuild the current image without it first: dist-kernel initramfs ${image}, then run: dist-kernel install ${kv}`,
		);
	}
	return new DistKernelError(
		'initramfs.root-module-missing',
		`not building an image for kernel ${kv}: it could not mount the root file system without ${what}, which is not built for ${kv}`,
		{
			hint: hints.join('; or '),
		},
	);
}
