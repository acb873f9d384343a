// systemd kernel-install backend: `kernel-install add KV IMAGE [INITRD]` with our already built initramfs (or the
// UKI as the image and an empty initramfs). For a --root tree the environment points kernel-install at the root's
// configuration, boot root, machine id and plugins. Everything it may touch is protected by the boot transaction.
import { copyFileSync, linkSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import { systemView } from '../../../lib/root';
import { isKernelVersion } from '../../../lib/validate';
import type { Layout } from '../../../parsers/install-conf';
import { assertTrusted } from '../../config-files/trust';
import type { RuntimeContext } from '../../context';
import { isLiveRoot } from '../../context';
import type { Backend, InstalledKernel, KernelArtifacts } from '../files/types';
import { writeInstallLog, writesOwnLog } from '../install-log/write-install-log';
import { kernelInstallPaths } from '../layouts/layout-plan';
import { type KernelInstallSettings, readKernelInstallSettings } from '../settings/kernel-install-settings';
import { checkSpace } from '../transaction/space';
import { resolveBootDir } from '../transaction/target-dir';
import { BootTransaction } from '../transaction/transaction';
import { PIPELINE_ENV } from './pipeline-env';

/** The plugin that writes each layout's files: systemd's own, or installkernel-gentoo's 90-compat. */
export const LAYOUT_PLUGINS: Partial<Record<Layout, { plugin: string; from: string }>> = {
	bls: { plugin: '90-loaderentry.install', from: 'systemd' },
	uki: { plugin: '90-uki-copy.install', from: 'systemd 253 or newer' },
	compat: { plugin: '90-compat.install', from: 'sys-kernel/installkernel[systemd]' },
	grub: { plugin: '90-compat.install', from: 'sys-kernel/installkernel[systemd,grub]' },
	efistub: { plugin: '90-compat.install', from: 'sys-kernel/installkernel[systemd,efistub]' },
};

/** A plugin that acts on the running system whatever KERNEL_INSTALL_CONF_ROOT says: left out for a --root tree. */
export const HOST_ONLY_PLUGIN = '50-depmod.install';

/** A layout no installed plugin writes would leave the kernel uninstalled with kernel-install reporting success. */
export function assertLayoutPlugin(ctx: Pick<RuntimeContext, 'root'>, settings: KernelInstallSettings): void {
	const needed = LAYOUT_PLUGINS[settings.layout];
	if (!needed || settings.plugins.some((p) => basename(p) === needed.plugin)) return;
	const source = settings.installConfFile ? systemView(ctx.root, settings.installConfFile) : 'detected';
	throw new DistKernelError(
		'layout.unsupported',
		`layout=${settings.layout} (${source}) cannot be installed by this kernel-install: no ${needed.plugin} plugin`,
		{
			details: `kernel-install runs: ${settings.plugins.map((p) => basename(p)).join(' ') || '(no plugins)'}`,
			hint: `install ${needed.from}, or set install-backend = builtin in /etc/dist-kernel/dist-kernel.conf (it writes layout=${settings.layout} itself); nothing was written`,
		},
	);
}

/** Every path kernel-install's plugins (systemd's and Gentoo's 90-compat) may create for this version. */
export function kernelInstallTargets(
	bootRootDisk: string,
	settings: KernelInstallSettings,
	kv: string,
	bootDisk?: string,
): string[] {
	const token = settings.entryToken;
	const layoutPaths = kernelInstallPaths(settings.layout, {
		kv,
		id: token,
		vendorName: settings.vendorName,
		entryToken: token,
	}).map(({ place, path }) => join(place === 'boot' ? (bootDisk ?? bootRootDisk) : bootRootDisk, ...path));
	return [
		...new Set([
			...layoutPaths,
			join(bootRootDisk, token, kv),
			join(bootRootDisk, 'loader', 'entries', `${token}-${kv}.conf`),
			join(bootRootDisk, 'EFI', 'Linux', `${token}-${kv}.efi`),
			join(bootRootDisk, `vmlinuz-${kv}`),
			join(bootRootDisk, `initramfs-${kv}.img`),
			join(bootRootDisk, `System.map-${kv}`),
			join(bootRootDisk, `config-${kv}`),
		]),
	];
}

export function kernelInstallEnv(
	ctx: Pick<RuntimeContext, 'root' | 'verbose'>,
	settings: KernelInstallSettings,
	bootRootDisk: string,
): Record<string, string> {
	const env: Record<string, string> = { [PIPELINE_ENV]: '1' };
	if (isLiveRoot(ctx)) return env;
	if (settings.plugins.length === 0) {
		throw new DistKernelError(
			'kernel-install.no-plugins',
			`kernel-install has no plugins under ${ctx.root}: nothing would install the kernel`,
			{
				hint: 'install plugins into /usr/lib/kernel/install.d of the root, or set install-backend to builtin',
			},
		);
	}
	env['KERNEL_INSTALL_CONF_ROOT'] = settings.confRoot;
	env['BOOT_ROOT'] = bootRootDisk;
	env['ENTRY_TOKEN'] = settings.entryToken;
	// systemd's 50-depmod runs depmod on this machine's /lib/modules/KV, not the root's (depmod -b is the root's own)
	env['KERNEL_INSTALL_PLUGINS'] = settings.plugins.filter((p) => basename(p) !== HOST_ONLY_PLUGIN).join(' ');
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
	if (ctx.dryRun)
		ctx.logger.info(
			`(dry run) environment: ${Object.entries(env)
				.map(([k, v]) => `${k}=${v}`)
				.join(' ')}`,
		);
	await ctx.exec('kernel-install', [...(ctx.verbose ? ['--verbose'] : []), ...args], {
		env,
		mutates: true,
		timeout: (ctx.config.dracutTimeout + 300) * 1000,
	});
}

export function kernelInstallBackend(ctx: RuntimeContext): Backend {
	return {
		name: 'kernel-install',
		check: async () => {
			const { settings } = await prepare(ctx);
			assertLayoutPlugin(ctx, settings);
		},
		install: async (artifacts: KernelArtifacts) => {
			const { settings, bootRootDisk, env } = await prepare(ctx);
			assertLayoutPlugin(ctx, settings);
			ctx.logger.debug(
				`kernel-install: layout=${settings.layout} BOOT_ROOT=${settings.bootRoot} entry-token=${settings.entryToken}`,
			);
			if (!ctx.dryRun) {
				const bytes = statSync(artifacts.image).size + (artifacts.initrd ? statSync(artifacts.initrd).size : 0);
				checkSpace([{ dir: bootRootDisk, bytes, shown: settings.bootRoot }]);
			}
			const bootDisk = resolveBootDir(ctx, '/boot');
			const files = await withInitrdNamedInitrd(ctx, artifacts.initrd, (initrd) =>
				BootTransaction.run(ctx, `install ${artifacts.kv}`, async (t) => {
					for (const target of kernelInstallTargets(bootRootDisk, settings, artifacts.kv, bootDisk)) t.protect(target);
					await runKernelInstall(ctx, ['add', artifacts.kv, artifacts.image, ...(initrd ? [initrd] : [])], env);
					return existingTargets(ctx, bootRootDisk, settings, artifacts.kv, bootDisk);
				}),
			);
			if (!writesOwnLog(settings.plugins)) {
				const kernel = files.find((f) => /\/(linux|kernel-[^/]+|vmlinuz-[^/]+|[^/]+\.efi)$/.test(f));
				const initrd = files.find((f) => /\/(initrd|initramfs-[^/]+\.img)$/.test(f));
				writeInstallLog(ctx, {
					vendor: 'dist-kernel',
					kv: artifacts.kv,
					confRoot: settings.installConfFile ? systemView(ctx.root, settings.confRoot) : undefined,
					layout: settings.layout,
					initrdGenerator: settings.conf.initrdGenerator,
					ukiGenerator: settings.conf.ukiGenerator,
					bootRoot: settings.bootRoot,
					kernel,
					initrd,
					plugins: settings.plugins.map((p) => systemView(ctx.root, p)).join(' '),
				});
			}
			return files;
		},
		remove: async (kv: string) => {
			const { settings, bootRootDisk, env } = await prepare(ctx);
			const bootDisk = resolveBootDir(ctx, '/boot');
			const before = existingTargets(ctx, bootRootDisk, settings, kv, bootDisk);
			await BootTransaction.run(ctx, `remove ${kv}`, async (t) => {
				for (const target of kernelInstallTargets(bootRootDisk, settings, kv, bootDisk)) t.protect(target);
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

/**
 * kernel-install's 90-loaderentry names the initrd in the entry directory after the file it is given: passed as
 * `initrd`, it gets the name Gentoo's 52-dracut and dracut's 50-dracut give it.
 */
async function withInitrdNamedInitrd<T>(
	ctx: Pick<RuntimeContext, 'dryRun'>,
	initrd: string | undefined,
	fn: (initrd: string | undefined) => Promise<T>,
): Promise<T> {
	if (!initrd || basename(initrd) === 'initrd') return fn(initrd);
	if (ctx.dryRun) return fn(join(dirname(initrd), 'initrd'));
	const dir = mkdtempSync(join(tmpdir(), 'dist-kernel-initrd.'));
	try {
		const named = join(dir, 'initrd');
		try {
			linkSync(initrd, named);
		} catch {
			copyFileSync(initrd, named);
		}
		return await fn(named);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Files kernel-install left for this version (the entry directory expanded), as system paths. */
function existingTargets(
	ctx: Pick<RuntimeContext, 'root'>,
	bootRootDisk: string,
	settings: KernelInstallSettings,
	kv: string,
	bootDisk?: string,
): string[] {
	const files: string[] = [];
	for (const path of kernelInstallTargets(bootRootDisk, settings, kv, bootDisk)) {
		try {
			if (statSync(path).isDirectory())
				files.push(
					...readdirSync(path)
						.sort()
						.map((name) => join(path, name)),
				);
			else files.push(path);
		} catch {
			// Not created for this layout.
		}
	}
	return files.map((p) => systemView(ctx.root, p));
}

/** Boot counting (`<id>+LEFT[-DONE]`, also the `+0-1` of a failed boot verification) is not part of the release. */
export function withoutTries(id: string): string {
	return id.replace(/\+\d+(?:-\d+)?$/, '');
}

function listKernelInstallKernels(
	ctx: Pick<RuntimeContext, 'root' | 'dryRun'>,
	bootRootDisk: string,
	settings: KernelInstallSettings,
): InstalledKernel[] {
	const bootDisk = resolveBootDir(ctx, '/boot');
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
		const kv =
			name.startsWith(prefix) && name.endsWith('.conf') ? withoutTries(name.slice(prefix.length, -'.conf'.length)) : '';
		if (isKernelVersion(kv)) versions.add(kv);
	}
	for (const name of names(join(bootRootDisk, 'EFI', 'Linux'))) {
		const kv =
			name.startsWith(prefix) && name.endsWith('.efi') ? withoutTries(name.slice(prefix.length, -'.efi'.length)) : '';
		if (isKernelVersion(kv)) versions.add(kv);
	}
	// installkernel-gentoo's 90-compat: /boot/kernel-KV (compat, grub), BOOT_ROOT/EFI/<NAME>/kernel-KV.efi (efistub).
	for (const name of [...names(bootDisk), ...names(join(bootRootDisk, 'EFI', settings.vendorName))]) {
		const kv = /^kernel-(.+?)(?:\.efi)?$/.exec(name)?.[1] ?? '';
		if (isKernelVersion(kv) && !kv.startsWith('0-rescue') && !/[.-]old$/.test(kv)) versions.add(kv);
	}
	return [...versions].sort().map((kv) => ({
		kv,
		backend: 'kernel-install' as const,
		files: existingTargets(ctx, bootRootDisk, settings, kv, bootDisk),
	}));
}
