// Where a layout's files go. The ESP as Gentoo's installkernel finds it — the last of /boot/EFI, /boot/efi, /boot,
// /efi holding EFI/<subdir>, else the last holding an EFI directory — and, as bootctl does, a vfat file system
// mounted at /efi, /boot/efi or /boot. BOOT_ROOT for BLS entries as kernel-install finds it (backends/
// kernel-install-settings.ts). All system paths, resolved under --root by the caller.
import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDirectory } from '../../../lib/path-kind';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

/** installkernel's candidates, in its order (a later match wins, as its loop does). */
export const ESP_CANDIDATES = ['/boot/EFI', '/boot/efi', '/boot', '/efi'] as const;
const MSDOS_SUPER_MAGIC = 0x4d44;

function isVfatMount(path: string): boolean {
	try {
		return statfsSync(path).type === MSDOS_SUPER_MAGIC && statSync(path).dev !== statSync(dirname(path)).dev;
	} catch {
		return false;
	}
}

/** System path of the ESP for files under EFI/<subdir…>, or undefined when there is none. */
export function findEsp(ctx: Pick<RuntimeContext, 'root'>, subdir: readonly string[]): string | undefined {
	const at = (candidate: string, ...parts: string[]) => systemPath(ctx, [candidate, ...parts].join('/'));
	let found: string | undefined;
	for (const candidate of ESP_CANDIDATES) if (isDirectory(at(candidate, 'EFI', ...subdir))) found = candidate;
	if (found) return found;
	for (const candidate of ESP_CANDIDATES) if (isDirectory(at(candidate, 'EFI'))) found = candidate;
	if (found) return found;
	return ['/efi', '/boot/efi', '/boot'].find((candidate) => isVfatMount(systemPath(ctx, candidate)));
}
