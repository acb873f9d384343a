// systemd kernel-install backend: `kernel-install add KV IMAGE [INITRD]` with our already built initramfs (or the
// UKI as the image and an empty initramfs). For a --root tree the environment points kernel-install at the root's
// configuration, boot root, machine id and plugins. Everything it may touch is protected by the boot transaction.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError } from '../../lib/errors';
import { systemView } from '../../lib/root';
import { isKernelVersion } from '../../lib/validate';
import type { RuntimeContext } from '../context';
import { isLiveRoot } from '../context';
import { assertTrusted } from '../config-files/trust';
import { checkSpace } from '../boot/space';
import { resolveBootDir } from '../boot/target-dir';
import { BootTransaction } from '../boot/transaction';
import { readKernelInstallSettings, type KernelInstallSettings } from './kernel-install-settings';
import { PIPELINE_ENV } from './pipeline-env';
import type { Backend, InstalledKernel, KernelArtifacts } from './types';

/** Every path kernel-install's plugins (systemd's and Gentoo's 90-compat) may create for this version. */
export function kernelInstallTargets(bootRootDisk: string, settings: KernelInstallSettings, kv: string): string[] {
	const token = settings.entryToken;
	return [
		join(bootRootDisk, token, kv),
		join(bootRootDisk, 'loader', 'entries', `${token}-${kv}.conf`),
		join(bootRootDisk, 'EFI', 'Linux', `${token}-${kv}.efi`),
		join(bootRootDisk, `vmlinuz-${kv}`),
		join(bootRootDisk, `initramfs-${kv}.img`),
		join(bootRootDisk, `System.map-${kv}`),
		join(bootRootDisk, `config-${kv}`),
	];
}

export function kernelInstallEnv(ctx: Pick<RuntimeContext, 'root' | 'verbose'>, settings: KernelInstallSettings, bootRootDisk: string): Record<string, string> {
	const env: Record<string, string> = { [PIPELINE_ENV]: '1' };
	if (isLiveRoot(ctx)) return env;
	if (settings.plugins.length === 0) {
		throw new DistKernelError('kernel-install.no-plugins', `kernel-install has no plugins under ${ctx.root}: nothing would install the kernel`, {
			hint: 'install plugins into /usr/lib/kernel/install.d of the root, or set install-backend to builtin',
		});
	}
	env['KERNEL_INSTALL_CONF_ROOT'] = settings.confRoot;
	env['BOOT_ROOT'] = bootRootDisk;
	env['ENTRY_TOKEN'] = settings.entryToken;
	env['KERNEL_INSTALL_PLUGINS'] = settings.plugins.join(' ');
	if (settings.machineId) env['MACHINE_ID'] = settings.machineId;
	return env;
}

async function prepare(ctx: RuntimeContext) {
	const settings = await readKernelInstallSettings(ctx);
	for (const plugin of settings.plugins) assertTrusted(plugin, systemView(ctx.root, plugin));
	const bootRootDisk = resolveBootDir(ctx, settings.bootRoot);
	return { settings, bootRootDisk, env: kernelInstallEnv(ctx, settings, bootRootDisk) };
}

async function runKernelInstall(ctx: RuntimeContext, args: string[], env: Record<string, string>): Promise<void> {
	if (ctx.dryRun) ctx.logger.info(`(dry run) environment: ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
	await ctx.exec('kernel-install', [...(ctx.verbose ? ['--verbose'] : []), ...args], {
		env,
		mutates: true,
		timeout: (ctx.config.dracutTimeout + 300) * 1000,
	});
}

export function kernelInstallBackend(ctx: RuntimeContext): Backend {
	return {
		name: 'kernel-install',
		install: async (artifacts: KernelArtifacts) => {
			const { settings, bootRootDisk, env } = await prepare(ctx);
			ctx.logger.debug(`kernel-install: layout=${settings.layout} BOOT_ROOT=${settings.bootRoot} entry-token=${settings.entryToken}`);
			if (!ctx.dryRun) {
				const bytes = statSync(artifacts.image).size + (artifacts.initrd ? statSync(artifacts.initrd).size : 0);
				checkSpace([{ dir: bootRootDisk, bytes, shown: settings.bootRoot }]);
			}
			return BootTransaction.run(ctx, `install ${artifacts.kv}`, async (t) => {
				for (const target of kernelInstallTargets(bootRootDisk, settings, artifacts.kv)) t.protect(target);
				await runKernelInstall(ctx, ['add', artifacts.kv, artifacts.image, ...(artifacts.initrd ? [artifacts.initrd] : [])], env);
				return existingTargets(ctx, bootRootDisk, settings, artifacts.kv);
			});
		},
		remove: async (kv: string) => {
			const { settings, bootRootDisk, env } = await prepare(ctx);
			const before = existingTargets(ctx, bootRootDisk, settings, kv);
			await BootTransaction.run(ctx, `remove ${kv}`, async (t) => {
				for (const target of kernelInstallTargets(bootRootDisk, settings, kv)) t.protect(target);
				await runKernelInstall(ctx, ['remove', kv], env);
			});
			return before;
		},
		list: async () => {
			const { settings, bootRootDisk } = await prepare(ctx);
			return listKernelInstallKernels(ctx, bootRootDisk, settings);
		},
	};
}

/** Files kernel-install left for this version (the entry directory expanded), as system paths. */
function existingTargets(ctx: Pick<RuntimeContext, 'root'>, bootRootDisk: string, settings: KernelInstallSettings, kv: string): string[] {
	const files: string[] = [];
	for (const path of kernelInstallTargets(bootRootDisk, settings, kv)) {
		try {
			if (statSync(path).isDirectory()) files.push(...readdirSync(path).sort().map((name) => join(path, name)));
			else files.push(path);
		} catch {
			// Not created for this layout.
		}
	}
	return files.map((p) => systemView(ctx.root, p));
}

function listKernelInstallKernels(ctx: Pick<RuntimeContext, 'root'>, bootRootDisk: string, settings: KernelInstallSettings): InstalledKernel[] {
	const versions = new Set<string>();
	const names = (dir: string) => {
		try {
			return readdirSync(dir);
		} catch {
			return [];
		}
	};
	for (const name of names(join(bootRootDisk, settings.entryToken))) if (isKernelVersion(name)) versions.add(name);
	const prefix = `${settings.entryToken}-`;
	for (const name of names(join(bootRootDisk, 'loader', 'entries'))) {
		const kv = name.startsWith(prefix) && name.endsWith('.conf') ? name.slice(prefix.length, -'.conf'.length) : '';
		if (isKernelVersion(kv)) versions.add(kv);
	}
	for (const name of names(join(bootRootDisk, 'EFI', 'Linux'))) {
		const kv = name.startsWith(prefix) && name.endsWith('.efi') ? name.slice(prefix.length, -'.efi'.length) : '';
		if (isKernelVersion(kv)) versions.add(kv);
	}
	return [...versions].sort().map((kv) => ({ kv, backend: 'kernel-install' as const, files: existingTargets(ctx, bootRootDisk, settings, kv) }));
}

