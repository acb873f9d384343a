// The boot layouts as data: which file goes where for each install.conf `layout`, named exactly as Gentoo's
// installkernel names them (compat, grub, efistub, uki) and as systemd's 90-loaderentry does (bls). Every backend
// that writes files itself uses this table; kernelInstallPaths() is what kernel-install's plugins write instead.
// Pure: no I/O; the writer (write-layout.ts) resolves places to directories.
import { DistKernelError } from '../../../lib/errors';
import type { Layout } from '../../../parsers/install-conf';

/** boot: /boot. esp: the EFI system partition as installkernel finds it. bootRoot: kernel-install's BOOT_ROOT. */
export type Place = 'boot' | 'esp' | 'bootRoot';
export type Source = 'image' | 'initrd' | 'systemMap' | 'config' | 'microcode-intel' | 'microcode-amd';

export interface PlannedFile {
	place: Place;
	/** Directory components below the place. */
	dir: string[];
	from: Source;
	/** Versioned name `${stem}-${kv}${suffix}`; a fixed name (BLS `linux`, microcode) has no stem. */
	stem?: string;
	suffix?: string;
	fixedName?: string;
	/** installkernel's updatever(): previous same-version file kept as .old / -old.efi, version-less name refreshed. */
	keepsOld: boolean;
}

export interface LayoutPlan {
	layout: Layout;
	files: PlannedFile[];
	/** A Boot Loader Specification entry: loader/entries/<token>-<kv>.conf below BOOT_ROOT. */
	entry?: { dir: string[]; name: string; entryDir: string[]; token: string };
	/** Removed before the new files arrive: a stale initramfs of the same version would pair with the new image. */
	staleInitrd?: PlannedFile;
}

export interface LayoutNames {
	kv: string;
	/** os-release ID (installkernel: `linux` when unset): UKI file names. */
	id: string;
	/** os-release NAME (installkernel: `Linux` when unset): the efistub vendor directory EFI/<NAME>. */
	vendorName: string;
	/** kernel-install's entry token: the BLS directory and entry names. */
	entryToken: string;
	/** /etc/kernel/tries: systemd boot counting, `+N` in the BLS entry name. */
	tries?: number | undefined;
}

export interface LayoutInputs {
	initrd: boolean;
	uki: boolean;
	systemMap: boolean;
	config: boolean;
	microcode: readonly ('intel' | 'amd')[];
}

/** A BLS entry of `token`-`kv`, with or without boot counting (`+3`, `+2-1`): what systemd's remove deletes. */
export function isEntryOf(name: string, token: string, kv: string): boolean {
	const prefix = `${token}-${kv}`;
	if (!name.startsWith(prefix) || !name.endsWith('.conf')) return false;
	const rest = name.slice(prefix.length, -'.conf'.length);
	return rest === '' || /^\+[0-9]+(-[0-9]+)?$/.test(rest);
}

/** Name of a planned file for version `kv`. */
export function fileName(file: PlannedFile, kv: string): string {
	return file.fixedName ?? `${file.stem}-${kv}${file.suffix ?? ''}`;
}

/** installkernel: `name.old`, but `name-old.efi` for .efi files (some firmware insists on the suffix). */
export function oldName(stemAndVersion: string, suffix: string): string {
	return suffix.endsWith('.efi') ? `${stemAndVersion}-old${suffix}` : `${stemAndVersion}${suffix}.old`;
}

/** The version-less name installkernel refreshes when it already exists (vmlinuz, initramfs.img, gentoo.efi…). */
export function versionlessName(file: PlannedFile): string | undefined {
	return file.keepsOld && file.stem ? `${file.stem}${file.suffix ?? ''}` : undefined;
}

function classicFiles(
	place: Place,
	dir: string[],
	inputs: LayoutInputs,
	imageSuffix: string,
	withInitrd: boolean,
): PlannedFile[] {
	const files: PlannedFile[] = [];
	// Files no boot needs first; then the initramfs and, last, the image: boot loaders key on the image, and the
	// pair a boot needs is swapped by two adjacent renames.
	if (inputs.systemMap) files.push({ place, dir, from: 'systemMap', stem: 'System.map', suffix: '', keepsOld: true });
	if (inputs.config) files.push({ place, dir, from: 'config', stem: 'config', suffix: '', keepsOld: true });
	if (withInitrd) files.push({ place, dir, from: 'initrd', stem: 'initramfs', suffix: '.img', keepsOld: true });
	files.push({ place, dir, from: 'image', stem: 'vmlinuz', suffix: imageSuffix, keepsOld: true });
	return files;
}

export function planLayout(layout: Layout, names: LayoutNames, inputs: LayoutInputs): LayoutPlan {
	switch (layout) {
		case 'compat':
		case 'grub': {
			// A UKI installed in place of the kernel keeps the empty initramfs beside it (no other generator adds one).
			const files = classicFiles('boot', [], inputs, '', inputs.initrd);
			const stale: PlannedFile = {
				place: 'boot',
				dir: [],
				from: 'initrd',
				stem: 'initramfs',
				suffix: '.img',
				keepsOld: true,
			};
			return { layout, files, ...(inputs.initrd ? {} : { staleInitrd: stale }) };
		}
		case 'efistub': {
			const dir = ['EFI', names.vendorName];
			const files = classicFiles('esp', dir, inputs, '.efi', inputs.initrd && !inputs.uki);
			// installkernel copies /boot/{intel,amd}-uc.img along for the firmware entry's initrd= arguments.
			const microcode: PlannedFile[] = inputs.microcode.map((cpu) => ({
				place: 'esp',
				dir,
				from: `microcode-${cpu}` as Source,
				fixedName: `${cpu}-uc.img`,
				keepsOld: false,
			}));
			const image = files.pop()!;
			const stale: PlannedFile = {
				place: 'esp',
				dir,
				from: 'initrd',
				stem: 'initramfs',
				suffix: '.img',
				keepsOld: true,
			};
			return {
				layout,
				files: [...files, ...microcode, image],
				...(inputs.initrd && !inputs.uki ? {} : { staleInitrd: stale }),
			};
		}
		case 'uki': {
			if (!inputs.uki)
				throw new DistKernelError(
					'layout.needs-uki',
					`layout=uki installs a unified kernel image, and none was built for ${names.kv}`,
					{ hint: 'set uki = yes in dist-kernel.conf (or uefi="yes" in dracut.conf)' },
				);
			return {
				layout,
				files: [{ place: 'esp', dir: ['EFI', 'Linux'], from: 'image', stem: names.id, suffix: '.efi', keepsOld: true }],
			};
		}
		case 'bls': {
			const entryDir = [names.entryToken, names.kv];
			const files: PlannedFile[] = [];
			if (inputs.initrd && !inputs.uki)
				files.push({ place: 'bootRoot', dir: entryDir, from: 'initrd', fixedName: 'initrd', keepsOld: false });
			files.push({ place: 'bootRoot', dir: entryDir, from: 'image', fixedName: 'linux', keepsOld: false });
			const tries = names.tries === undefined ? '' : `+${names.tries}`;
			return {
				layout,
				files,
				entry: {
					dir: ['loader', 'entries'],
					name: `${names.entryToken}-${names.kv}${tries}.conf`,
					entryDir,
					token: names.entryToken,
				},
			};
		}
		case 'other':
			throw new DistKernelError(
				'layout.other',
				'layout=other leaves the install to kernel-install plugins; dist-kernel cannot write it itself',
				{
					exitCode: 2,
					hint: 'set install-backend = kernel-install, or choose layout=compat, grub, bls, uki or efistub in install.conf',
				},
			);
	}
}

/** Where kernel-install writes for `layout` (systemd's plugins and installkernel-gentoo's 90-compat), relative to BOOT_ROOT or /boot. */
export function kernelInstallPaths(layout: Layout, names: LayoutNames): { place: Place; path: string[] }[] {
	const kv = names.kv;
	switch (layout) {
		case 'compat':
		case 'grub':
			return [
				{ place: 'boot', path: [`kernel-${kv}`] },
				{ place: 'boot', path: [`initramfs-${kv}.img`] },
			];
		case 'efistub':
			return [`kernel-${kv}.efi`, `initramfs-${kv}.img`].map((name) => ({
				place: 'bootRoot' as const,
				path: ['EFI', names.vendorName, name],
			}));
		case 'uki':
			return [{ place: 'bootRoot', path: ['EFI', 'Linux', `${names.entryToken}-${kv}.efi`] }];
		case 'bls':
			return [
				{ place: 'bootRoot', path: [names.entryToken, kv] },
				{ place: 'bootRoot', path: ['loader', 'entries', `${names.entryToken}-${kv}.conf`] },
			];
		case 'other':
			return [];
	}
}
