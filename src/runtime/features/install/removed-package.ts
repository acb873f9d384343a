// `dist-kernel modules removed CAT/PF` (linux-mod-r1's pkg_postrm): a module package is going, but Portage leaves its
// modules under /lib/modules (UNINSTALL_IGNORE) and the images that hold them keep loading them. Rebuild, once per
// kernel, every image that holds one of its modules; its dracut drop-in is already gone, so the new image leaves
// them out. Never for a module the root file system is mounted with (the root file system type, e.g. zfs): then
// every image is kept as it is and the removal is refused with `initramfs.root-module-removed`.
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { assertBootMounted } from '../../boot/transaction/mount-guard';
import type { RuntimeContext } from '../../context';
import { kernelImages } from '../../images/initramfs-reader/kernel-images';
import { modulesInListing } from '../../images/initramfs-reader/read-initramfs';
import { rootFsType } from '../../portage/root-modules/root-critical';
import { scanModules } from '../../portage/vdb/scan-modules';
import { regenerateInitramfs } from './install-kernel';
import { type InstallResult, validatePackage } from './pipeline';

const MODULE_NAME_RE = /\/([^/]+)\.ko(?:\.(?:gz|xz|zst))?$/;

export interface RemovedPackageResult {
	/** Module names the package installed that no other installed package provides. */
	modules: string[];
	/** Kernels whose image held one of them, each rebuilt once. */
	rebuilt: InstallResult[];
}

/** Module names (no `.ko`) in a list of module file paths. */
function moduleNames(files: readonly string[]): Set<string> {
	const names = new Set<string>();
	for (const file of files) {
		const match = MODULE_NAME_RE.exec(file);
		if (match) names.add(match[1]!);
	}
	return names;
}

export async function rebuildWithoutPackage(ctx: RuntimeContext, cpf: string): Promise<RemovedPackageResult> {
	validatePackage(cpf);
	// pkg_postrm runs before Portage drops the package's VDB entry: its CONTENTS still names its modules.
	const inventory = scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages });
	const removed = inventory.modules.find((m) => m.cpv === cpf);
	if (!removed) {
		throw new DistKernelError('modules.package-unknown', `no installed module package ${cpf}`, {
			hint: "run this from the package's pkg_postrm (its VDB entry is gone afterwards); to drop a module from an image by hand, run: dist-kernel initramfs KV",
		});
	}
	const others = moduleNames(inventory.modules.filter((m) => m.cpv !== cpf).flatMap((m) => m.modules));
	const names = [...moduleNames(removed.modules)].filter((n) => !others.has(n)).sort();
	if (names.length === 0) return { modules: [], rebuilt: [] };

	const holding: Array<{ kv: string; found: string[] }> = [];
	for (const kernel of inventory.kernels) {
		const image = kernelImages(ctx.exec, ctx.root, kernel.kv)[0];
		if (!image) continue;
		let inImage: Set<string>;
		try {
			inImage = modulesInListing(await image.read(), kernel.kv);
		} catch (error) {
			if (!isDistKernelError(error)) throw error;
			ctx.logger.warn(`cannot read ${image.path} to see whether it holds ${names.join(', ')}: ${error.message}`);
			continue;
		}
		const found = names.filter((n) => inImage.has(`${n}.ko`));
		if (found.length > 0) holding.push({ kv: kernel.kv, found });
	}
	if (holding.length === 0) {
		ctx.logger.info(`no installed image holds the modules of ${cpf} (${names.join(', ')})`);
		return { modules: names, rebuilt: [] };
	}

	// The root file system is mounted with one of them: an image without it could not mount root.
	const fsType = rootFsType(ctx.root);
	const rootModule = fsType;
	if (rootModule !== undefined && names.includes(rootModule)) {
		throw new DistKernelError(
			'initramfs.root-module-removed',
			`not rebuilding the images of ${holding.map((h) => h.kv).join(', ')} without ${rootModule}: the root file system is ${fsType}, mounted with it; they keep it`,
			{
				hint: `${cpf} provided the module the root file system needs: reinstall it (emerge --oneshot ${removed.key}) before the next kernel update, which could not mount root without it`,
			},
		);
	}

	assertBootMounted(ctx, holding.map((h) => `dist-kernel initramfs ${h.kv}`).join('; '));
	const rebuilt: InstallResult[] = [];
	for (const { kv, found } of holding) {
		ctx.logger.log(`The image of ${kv} holds ${found.join(', ')} of the removed ${cpf}: rebuilding it without`);
		rebuilt.push(await regenerateInitramfs(ctx, kv, { package: cpf, reason: 'module' }));
	}
	return { modules: names, rebuilt };
}
