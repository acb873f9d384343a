// Where a merged kernel package left its files: the image (/lib/modules/KV/vmlinuz or the arch image under
// /usr/src/linux-KV), the modules directory, System.map and .config.
import { DistKernelError } from '../../../lib/errors';
import { isDirectory, isFile } from '../../../lib/path-kind';
import { assertSafePath } from '../../../lib/validate';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

const ARCH_IMAGE: Partial<Record<NodeJS.Architecture, string>> = {
	x64: 'arch/x86/boot/bzImage',
	ia32: 'arch/x86/boot/bzImage',
	arm64: 'arch/arm64/boot/Image',
	riscv64: 'arch/riscv/boot/Image',
	loong64: 'arch/loongarch/boot/vmlinuz.efi',
	ppc64: 'vmlinux',
};

export interface KernelFiles {
	kv: string;
	/** Disk paths. */
	image: string;
	modulesDir: string;
	systemMap: string | undefined;
	config: string | undefined;
}

export function imageCandidates(kv: string, arch: NodeJS.Architecture = process.arch): string[] {
	return [
		`/lib/modules/${kv}/vmlinuz`,
		`/usr/lib/modules/${kv}/vmlinuz`,
		`/usr/src/linux-${kv}/${ARCH_IMAGE[arch] ?? 'arch/x86/boot/bzImage'}`,
	];
}

export interface FindKernelFilesOptions {
	/** An image path given by the admin (`--image`), inside the tree. */
	image?: string | undefined;
	/**
	 * Which image wins when a package installs both: `modules` (/lib/modules/KV/vmlinuz, what boots) or `source`
	 * (the arch image under /usr/src/linux-KV, where installkernel and kernel-install.eclass look for prebuilt files).
	 */
	prefer?: 'modules' | 'source';
}

/**
 * The kernel files of release `kv` in a tree: the system under `--root` (`ctx`), or a package's image directory
 * (`{ root: ED }`) while it is being built.
 */
export function findKernelFiles(
	ctx: Pick<RuntimeContext, 'root'>,
	kv: string,
	options: FindKernelFilesOptions = {},
): KernelFiles {
	const { image } = options;
	let imagePath: string | undefined;
	if (image !== undefined) {
		assertSafePath(image, '--image');
		imagePath = systemPath(ctx, image);
		if (!isFile(imagePath))
			throw new DistKernelError('kernel.image-missing', `kernel image not found: ${image}`, { exitCode: 2 });
	} else {
		const candidates = options.prefer === 'source' ? [...imageCandidates(kv)].reverse() : imageCandidates(kv);
		imagePath = candidates.map((p) => systemPath(ctx, p)).find(isFile);
		if (!imagePath) {
			throw new DistKernelError('kernel.image-missing', `no kernel image found for ${kv}`, {
				details: `looked for: ${imageCandidates(kv).join(', ')}`,
				hint: 'is the kernel package for this version merged? give the image with --image',
			});
		}
	}
	const modulesDir = [`/lib/modules/${kv}`, `/usr/lib/modules/${kv}`].map((p) => systemPath(ctx, p)).find(isDirectory);
	if (!modulesDir) {
		throw new DistKernelError('kernel.modules-missing', `no modules directory for kernel ${kv}: /lib/modules/${kv}`, {
			hint: 'the kernel package for this version is not merged (or its modules were removed)',
		});
	}
	const pick = (paths: string[]) => paths.map((p) => systemPath(ctx, p)).find(isFile);
	return {
		kv,
		image: imagePath,
		modulesDir,
		systemMap: pick([
			`/usr/src/linux-${kv}/System.map`,
			`/lib/modules/${kv}/System.map`,
			`/usr/lib/modules/${kv}/System.map`,
		]),
		config: pick([`/usr/src/linux-${kv}/.config`, `/lib/modules/${kv}/config`, `/usr/lib/modules/${kv}/config`]),
	};
}
