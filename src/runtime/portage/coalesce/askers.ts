// Who will still ask for a new image of a given kernel in this emerge. Every trigger is a package whose
// pkg_postinst calls the runtime for one or more kernels:
// - a kernel package: `dist-kernel install KV` for its own release (a rebuild of an installed version: the same KV);
// - a module package with USE="dist-kernel initramfs" (linux-mod-r1): `dist-kernel initramfs KV` for the kernel
//   its modules were built for: the one virtual/dist-kernel selects (in the merge list, else installed);
// - a package asking with `--all` (linux-firmware, intel-microcode with USE="dist-kernel initramfs", dkms
//   packages): `dist-kernel initramfs KV` for every installed kernel (our eclass turns `--all` into one call each).
// Only installed packages are known to ask (their VDB entry holds USE and INHERITED); a package new to the system
// cannot be predicted and is served when it asks.
import type { MergeListItem } from '../../../parsers/mtimedb';
import { type PmsVersion, parsePmsVersion, withoutRevision } from '../../../parsers/pms-version';
import { type KernelInfo, type ModuleInventory, type ModulePackageInfo, VIRTUAL_KEY } from '../vdb/scan-modules';

function pv(version: PmsVersion): string {
	return withoutRevision(version);
}

function kernelPv(kernel: KernelInfo): string | undefined {
	const parsed = kernel.version ? parsePmsVersion(kernel.version) : undefined;
	return parsed ? pv(parsed) : undefined;
}

/**
 * The kernel release that module rebuilds in this emerge are built for: the version of virtual/dist-kernel in the
 * merge list (else the installed one) names the kernel package version (vanilla-kernel without its `_pN`). When no
 * virtual is known, the newest installed kernel. `undefined` when that kernel is not installed yet.
 */
export function targetKernel(list: readonly MergeListItem[], inventory: ModuleInventory): string | undefined {
	const inList = list.find((item) => item.cpv.key === VIRTUAL_KEY);
	const virtual = inList
		? inList.cpv.version
		: inventory.virtualVersion
			? parsePmsVersion(inventory.virtualVersion)
			: undefined;
	if (!virtual) return inventory.newest?.kv;
	const target = pv(virtual);
	const match = (k: KernelInfo) => {
		const version = kernelPv(k);
		return version === target || version?.replace(/_p[0-9]*$/, '') === target;
	};
	return inventory.kernels.find(match)?.kv;
}

/**
 * Which of `others` (merge-list entries still to come, the asking package excluded) will ask for kernel `kv`.
 * A module package is rebuilt for the kernel moduleTarget names. `kernelPackages`: the configured kernel package
 * keys.
 */
export function laterAskersFor(
	kv: string,
	others: readonly MergeListItem[],
	list: readonly MergeListItem[],
	inventory: ModuleInventory,
	kernelPackages: readonly string[],
): string[] {
	const modules = new Map(inventory.modules.filter((m) => m.asks).map((m) => [m.key, m]));
	const installed = inventory.kernels.find((k) => k.kv === kv);
	const rebuildsFor = moduleTarget(list, inventory);
	const keys: string[] = [];
	for (const item of others) {
		const key = item.cpv.key;
		let asks = false;
		if (kernelPackages.includes(key)) {
			// A rebuild of the installed version installs the same release again.
			asks = installed?.key === key && installed.version !== undefined && kernelPv(installed) === pv(item.cpv.version);
		} else {
			const m = modules.get(key);
			asks = m?.asks === 'all' || (m?.asks === 'target' && rebuildsFor(m) === kv);
		}
		if (asks && !keys.includes(key)) keys.push(key);
	}
	return keys;
}

/**
 * The kernel a module package merged in this emerge is built for: the kernel of virtual/dist-kernel in the merge
 * list (a kernel upgrade); else the newer of the installed virtual's kernel (where /usr/src/linux points) and the
 * kernel the package was built for last time.
 */
export function moduleTarget(
	list: readonly MergeListItem[],
	inventory: ModuleInventory,
): (m: ModulePackageInfo) => string | undefined {
	const inList = list.some((item) => item.cpv.key === VIRTUAL_KEY);
	const target = targetKernel(list, inventory);
	const order = inventory.kernels.map((k) => k.kv);
	return (m) => {
		if (inList) return target;
		const candidates = [target, m.builtFor].filter((kv): kv is string => kv !== undefined && order.includes(kv));
		return candidates.sort((x, y) => order.indexOf(y) - order.indexOf(x))[0] ?? target ?? m.builtFor;
	};
}
