// The classic /boot names used by installkernel and our built-in backend: vmlinuz-KV, initramfs-KV.img,
// System.map-KV, config-KV.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isKernelVersion } from '../../lib/validate';
import { systemView } from '../../lib/root';
import type { RuntimeContext } from '../context';
import { systemPath } from '../context';
import { checkSpace } from '../boot/space';
import { bootFilePath, resolveBootDir } from '../boot/target-dir';
import type { BootTransaction } from '../boot/transaction';
import type { BackendName, InstalledKernel, KernelArtifacts } from './types';

export const CLASSIC_PREFIXES = ['vmlinuz-', 'initramfs-', 'System.map-', 'config-'] as const;

export function classicNames(kv: string): { image: string; initrd: string; systemMap: string; config: string } {
	return { image: `vmlinuz-${kv}`, initrd: `initramfs-${kv}.img`, systemMap: `System.map-${kv}`, config: `config-${kv}` };
}

interface Planned {
	source: string;
	name: string;
}

function plan(artifacts: KernelArtifacts): Planned[] {
	const names = classicNames(artifacts.kv);
	const files: Planned[] = [];
	// Files no boot needs first; then the initramfs and, last, the image: boot loaders (grub-mkconfig, BLS
	// generators) key on vmlinuz-KV, and the pair a boot needs is swapped by two adjacent renames.
	if (artifacts.systemMap) files.push({ source: artifacts.systemMap, name: names.systemMap });
	if (artifacts.config) files.push({ source: artifacts.config, name: names.config });
	if (artifacts.initrd) files.push({ source: artifacts.initrd, name: names.initrd });
	files.push({ source: artifacts.image, name: names.image });
	return files;
}

/** Space check, then every file through the transaction. Returns the system paths written. */
export function writeClassicFiles(ctx: RuntimeContext, transaction: BootTransaction, artifacts: KernelArtifacts): string[] {
	const bootDir = resolveBootDir(ctx, '/boot');
	const names = classicNames(artifacts.kv);
	const imageInstalled = existsSync(bootFilePath(bootDir, names.image));
	// A plain initramfs refresh leaves an installed kernel alone; a UKI is the image, so it is rewritten.
	const initrdOnly = artifacts.initrdOnly === true && !artifacts.uki && imageInstalled;
	const files = plan(artifacts)
		.filter((f) => !initrdOnly || f.name === names.initrd)
		.map((f) => ({ ...f, target: bootFilePath(bootDir, f.name) }));
	// Without a new initramfs, a stale one of the same version would be paired with the new kernel.
	const staleInitrd = artifacts.initrd ? undefined : bootFilePath(bootDir, names.initrd);
	if (!ctx.dryRun) checkSpace(files.map((f) => ({ dir: bootDir, bytes: statSync(f.source).size, shown: '/boot' })));
	// Without a new initramfs, the stale one goes before the new image arrives.
	if (staleInitrd) transaction.remove(staleInitrd);
	transaction.copyAll(files.map((f) => ({ source: f.source, target: f.target, mode: 0o644 })));
	return files.map((f) => systemView(ctx.root, f.target));
}

export function removeClassicFiles(ctx: RuntimeContext, transaction: BootTransaction, kv: string): string[] {
	const bootDir = resolveBootDir(ctx, '/boot');
	const removed: string[] = [];
	for (const name of Object.values(classicNames(kv))) {
		const target = bootFilePath(bootDir, name);
		try {
			statSync(target);
		} catch {
			continue;
		}
		transaction.remove(target);
		removed.push(systemView(ctx.root, target));
	}
	return removed;
}

export function listClassicKernels(ctx: Pick<RuntimeContext, 'root'>, backend: BackendName): InstalledKernel[] {
	const bootDir = systemPath(ctx, '/boot');
	let names: string[];
	try {
		names = readdirSync(bootDir);
	} catch {
		return [];
	}
	const byKv = new Map<string, string[]>();
	for (const name of names) {
		const match = /^vmlinuz-(.+)$/.exec(name);
		if (match?.[1] && isKernelVersion(match[1])) byKv.set(match[1], []);
	}
	for (const [kv, files] of byKv) {
		for (const name of Object.values(classicNames(kv))) if (names.includes(name)) files.push(`/boot/${name}`);
	}
	return [...byKv].sort(([a], [b]) => a.localeCompare(b)).map(([kv, files]) => ({ kv, backend, files }));
}
