// Which installed module packages belong in a kernel's image (a prebuilt image shipped with the kernel lacks them).
import type { RuntimeContext } from '../../context';
import { type ModuleInventory, scanModules } from './scan-modules';

/**
 * Installed packages with USE=initramfs whose modules are for `kv`. A prebuilt image was made with the kernel
 * package, before any of them: it cannot hold their modules, so dracut builds the image here instead.
 */
export function initramfsModulePackages(
	ctx: Pick<RuntimeContext, 'root' | 'config'>,
	kv: string,
	scanned?: () => ModuleInventory,
): string[] {
	const inventory = scanned ? scanned() : scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages });
	return inventory.modules
		.filter((m) => m.initramfs && m.modules.length > 0 && (m.builtFor === kv || m.contentsKvs.includes(kv)))
		.map((m) => m.cpv);
}
