// Build-once boot images for binary packages: on a build host, the kernel package's image directory (${ED} in
// src_install) gets a generic (non-hostonly) initramfs or UKI beside the kernel image, as gentoo-kernel-bin does
// with USE=generic-uki. It then travels inside the binary package; clients install it as it is (installkernel's
// 10-copy-prebuilt convention: `initrd` / `uki.efi` in the directory of the kernel image) and run no dracut.
// Nothing outside `destdir` is written; the build host's own /boot is never touched.
import {
	copyFileSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { isDirectory, isFile } from '../../../lib/path-kind';
import { readTextOrUndefined } from '../../../lib/read-file';
import { assertKernelVersion, assertSafePath, isKernelVersion } from '../../../lib/validate';
import type { RuntimeContext } from '../../context';
import { findKernelFiles, type KernelFiles } from '../../images/build/kernel-files';
import { readDracutConfig } from '../../images/dracut/config';
import { signImage } from '../../images/secureboot/sign';
import { discoverSigningKey } from '../../images/secureboot/signing-key';
import { findEfiStub } from '../../images/uki/find-stub';

export type GenericKind = 'initramfs' | 'uki';

export interface GenericImageRequest {
	/** The package's image directory (`${ED}`), a disk path. */
	destdir: string;
	/** Kernel release; default: the one modules directory under destdir. */
	kv?: string | undefined;
	kind: GenericKind;
}

export interface GenericImageResult {
	kv: string;
	kind: GenericKind;
	/** Disk path of the image written (…/initrd or …/uki.efi beside the kernel image). */
	path: string;
	signed: boolean;
}

/** Graphics drivers whose firmware makes a generic image huge; each machine's own hostonly image has them. */
export const GENERIC_OMIT_DRIVERS = [
	'amdgpu',
	'i915',
	'nouveau',
	'nvidia',
	'nvidia-drm',
	'nvidia-modeset',
	'nvidia-uvm',
	'radeon',
	'xe',
];

/** dracut's compressor for a generic image whose kernel unpacks zstd: zstd's default level, single-threaded. */
export const GENERIC_ZSTD = 'zstd -q';

/**
 * dracut's `--compress` for a generic image, from the package kernel's .config: zstd when the kernel unpacks it
 * (CONFIG_RD_ZSTD=y), else undefined (dracut's own choice). Left to dracut, the compressor depends on the build
 * host's tools (pigz or gzip) and is `-9`: 42 s for a 126 MB generic cpio here, against 0.7 s for `zstd -q`, whose
 * output is smaller. dracut cannot check this itself: it reads the build host's /boot/config-KV, not the package's.
 */
export function genericCompressor(kernelConfig: string | undefined): string | undefined {
	return kernelConfig !== undefined && /^CONFIG_RD_ZSTD=y$/m.test(kernelConfig) ? GENERIC_ZSTD : undefined;
}

/** The single kernel release whose modules the package installs. */
export function findPackageKernel(destdir: string): string {
	const found = new Set<string>();
	for (const base of ['lib/modules', 'usr/lib/modules']) {
		let names: string[] = [];
		try {
			names = readdirSync(join(destdir, base));
		} catch {
			continue;
		}
		for (const name of names)
			if (isKernelVersion(name) && isDirectory(join(destdir, base, name, 'kernel'))) found.add(name);
	}
	if (found.size !== 1) {
		throw new DistKernelError(
			'generic-image.kernel',
			`cannot tell which kernel the package installs: ${found.size === 0 ? 'no' : found.size} modules directories under ${destdir}/lib/modules`,
			{
				exitCode: 2,
				hint: 'give the kernel release as the argument: dist-kernel generic-image --destdir "${ED}" KV',
			},
		);
	}
	return [...found][0] as string;
}

export interface GenericDracutOptions {
	kv: string;
	modulesDir: string;
	conf: string;
	confDir: string;
	tmpDir: string;
	verbose: boolean;
	/** dracut modules to use instead of dracut's whole default set (empty: the default set). */
	modules: readonly string[];
	/** dracut's `--compress` (undefined: dracut's own choice); see genericCompressor. */
	compress?: string | undefined;
	uki?: { stub: string; kernelImage: string; cmdline: string } | undefined;
}

export function genericDracutArgs(options: GenericDracutOptions, output: string): string[] {
	const args = [
		'--force',
		options.verbose ? '--verbose' : '--quiet',
		// Empty configuration: the image must not depend on the build host's dracut.conf (dracut ignores paths
		// that do not exist, so these are real, empty ones).
		'--conf',
		options.conf,
		'--confdir',
		options.confDir,
		'--tmpdir',
		options.tmpDir,
		'--kver',
		options.kv,
		'--kmoddir',
		options.modulesDir,
		'--no-hostonly',
		'--no-hostonly-cmdline',
		'--no-machineid',
		'--reproducible',
		'--omit-drivers',
		GENERIC_OMIT_DRIVERS.join(' '),
	];
	if (options.modules.length > 0) args.push('--modules', options.modules.join(' '));
	if (options.compress !== undefined) args.push('--compress', options.compress);
	if (options.uki) {
		args.push('--uefi', '--uefi-stub', options.uki.stub, '--kernel-image', options.uki.kernelImage);
		if (options.uki.cmdline !== '') args.push('--kernel-cmdline', options.uki.cmdline);
	} else {
		args.push('--no-uefi');
	}
	args.push(output);
	return args;
}

/** Same-filesystem rename through a temporary name beside the target, so a reader never sees half a file. */
function placeAtomically(source: string, target: string): void {
	const temp = `${target}.dist-kernel-tmp`;
	rmSync(temp, { force: true });
	try {
		renameSync(source, temp);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
		copyFileSync(source, temp);
	}
	renameSync(temp, target);
}

/** Relative symlink `/lib/modules/KV/<name>` → the image beside the kernel, as Gentoo's kernel-install does. */
function linkFromModules(modulesDir: string, imagePath: string, name: string): void {
	const link = join(modulesDir, name);
	if (link === imagePath) return;
	rmSync(link, { force: true });
	symlinkSync(relative(dirname(link), imagePath), link);
}

function packageKernelFiles(destdir: string, kv: string): KernelFiles {
	try {
		return findKernelFiles({ root: destdir }, kv, { prefer: 'source' });
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		throw new DistKernelError(
			'generic-image.kernel',
			`the package being built has no kernel ${kv} under ${destdir}: ${error.message}`,
			{ exitCode: 2, details: error.details },
		);
	}
}

export async function buildGenericImage(
	ctx: RuntimeContext,
	request: GenericImageRequest,
): Promise<GenericImageResult> {
	assertSafePath(request.destdir, '--destdir');
	if (!request.destdir.startsWith('/') || !isDirectory(request.destdir)) {
		throw new DistKernelError(
			'generic-image.destdir',
			`Expected \`--destdir\` to be an existing absolute directory, got \`${request.destdir}\``,
			{ exitCode: 2 },
		);
	}
	const kv =
		request.kv !== undefined ? assertKernelVersion(request.kv, 'kernel release') : findPackageKernel(request.destdir);
	// The arch image under /usr/src first: installkernel and kernel-install.eclass look for prebuilt files beside it.
	const { modulesDir, image: kernelImage, config } = packageKernelFiles(request.destdir, kv);
	const name = request.kind === 'uki' ? 'uki.efi' : 'initrd';
	const target = join(dirname(kernelImage), name);
	const dracut = await readDracutConfig(ctx);
	const uki =
		request.kind === 'uki'
			? {
					stub: findEfiStub(ctx, { configured: dracut.uefiStub }),
					kernelImage,
					cmdline: ctx.config.genericImageCmdline,
				}
			: undefined;
	const keys = request.kind === 'uki' ? discoverSigningKey(ctx, dracut) : undefined;
	const what = request.kind === 'uki' ? 'unified kernel image' : 'initramfs';
	if (ctx.dryRun) {
		ctx.logger.info(`(dry run) would build a generic ${what} for ${kv}: ${target}`);
		return { kv, kind: request.kind, path: target, signed: keys !== undefined };
	}
	// Portage points TMPDIR at the package's own temporary directory, on the same filesystem as ${ED}.
	const work = mkdtempSync(join(tmpdir(), 'dist-kernel-generic.'));
	try {
		const conf = join(work, 'empty.conf');
		const confDir = join(work, 'empty.conf.d');
		writeFileSync(conf, '');
		mkdirSync(confDir);
		const built = join(work, name);
		const end = ctx.logger.begin(`Building a generic ${what} for ${kv} with dracut`);
		try {
			await ctx.exec(
				'dracut',
				genericDracutArgs(
					{
						kv,
						modulesDir,
						conf,
						confDir,
						tmpDir: work,
						verbose: ctx.verbose,
						modules: ctx.config.genericImageModules,
						compress: genericCompressor(config === undefined ? undefined : readTextOrUndefined(config)),
						uki,
					},
					built,
				),
				{
					timeout: ctx.config.dracutTimeout * 1000,
					env: { TMPDIR: work },
					mutates: true,
				},
			);
			end(true);
		} catch (error) {
			end(false);
			if (!isDistKernelError(error)) throw error;
			throw new DistKernelError('dracut.failed', `dracut failed to build the generic image for ${kv}`, {
				cause: error,
				details: error.details,
			});
		}
		if (!isFile(built) || statSync(built).size === 0)
			throw new DistKernelError('dracut.no-output', `dracut produced no generic image for ${kv}`);
		let final = built;
		if (keys) {
			final = join(work, 'uki.signed.efi');
			await signImage(ctx, keys, built, final);
		}
		placeAtomically(final, target);
		linkFromModules(modulesDir, target, name);
		ctx.logger.info(`generic ${what} for ${kv}: ${target}${keys ? ' (signed)' : ''}`);
		return { kv, kind: request.kind, path: target, signed: keys !== undefined };
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}
