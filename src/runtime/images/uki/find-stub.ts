// The EFI stub dracut wraps the kernel with. Looked up before anything is built or written, so a missing stub
// fails early with the package to install.
import { existsSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import { isFile } from '../../../lib/path-kind';
import type { RuntimeContext } from '../../context';
import { isLiveRoot, systemPath } from '../../context';

const EFI_ARCH: Partial<Record<NodeJS.Architecture, string>> = {
	x64: 'x64',
	ia32: 'ia32',
	arm64: 'aa64',
	riscv64: 'riscv64',
	loong64: 'loongarch64',
};

/** systemd-boot's stub (sys-apps/systemd[boot] or sys-apps/systemd-utils[boot]); gummiboot's old location last. */
export function knownStubPaths(arch: NodeJS.Architecture = process.arch): string[] {
	const efiArch = EFI_ARCH[arch] ?? 'x64';
	return [`/usr/lib/systemd/boot/efi/linux${efiArch}.efi.stub`, `/usr/lib/gummiboot/linux${efiArch}.efi.stub`];
}

export interface StubSearch {
	/** dracut's `uefi_stub`, if configured. */
	configured?: string | undefined;
	arch?: NodeJS.Architecture;
}

/** Returns a disk path. Candidates are looked up under the root first, then on the host (dracut runs there). */
export function findEfiStub(ctx: Pick<RuntimeContext, 'root'>, search: StubSearch = {}): string {
	if (search.configured) {
		const underRootPath = systemPath(ctx, search.configured);
		if (isFile(underRootPath)) return underRootPath;
		if (!isLiveRoot(ctx) && isFile(search.configured)) return search.configured;
		throw new DistKernelError(
			'uki.stub-missing',
			`EFI stub configured in dracut (uefi_stub) not found: ${search.configured}`,
			{
				hint: 'fix uefi_stub in /etc/dracut.conf(.d), or remove it to use the systemd-boot stub',
			},
		);
	}
	const candidates = knownStubPaths(search.arch);
	for (const candidate of candidates) if (isFile(systemPath(ctx, candidate))) return systemPath(ctx, candidate);
	if (!isLiveRoot(ctx))
		for (const candidate of candidates) if (existsSync(candidate) && isFile(candidate)) return candidate;
	throw new DistKernelError('uki.stub-missing', `no EFI stub found for the unified kernel image: ${candidates[0]}`, {
		details: `looked for: ${candidates.join(', ')}`,
		hint: 'install sys-apps/systemd[boot] (or sys-apps/systemd-utils[boot] without systemd), or set uefi_stub in dracut.conf; /boot was not touched',
	});
}
