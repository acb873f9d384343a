// Which backend installs kernels on this system: the config's `install-backend`, or detected —
// kernel-install when the admin configured it (install.conf or a BLS boot root), installkernel when its program
// or hook directory exists, else the built-in one.
import { existsSync, readdirSync } from 'node:fs';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import type { Backend, BackendName, InstalledKernel } from '../files/types';
import { kernelInstallConfigured, readKernelInstallSettings } from '../settings/kernel-install-settings';
import { builtinBackend } from './builtin';
import { installkernelBackend } from './installkernel';
import { kernelInstallBackend } from './kernel-install';

export interface BackendChoice {
	name: BackendName;
	reason: string;
}

const KERNEL_INSTALL_PROGRAMS = ['/usr/bin/kernel-install', '/bin/kernel-install'];
const INSTALLKERNEL_PROGRAMS = ['/sbin/installkernel', '/usr/sbin/installkernel', '/usr/bin/installkernel'];

function nonEmptyDir(path: string): boolean {
	try {
		return readdirSync(path).length > 0;
	} catch {
		return false;
	}
}

export async function chooseBackend(ctx: RuntimeContext): Promise<BackendChoice> {
	const configured = ctx.config.installBackend;
	if (configured !== 'auto') return { name: configured, reason: 'install-backend in dist-kernel.conf' };
	const kernelInstall = KERNEL_INSTALL_PROGRAMS.find((p) => existsSync(systemPath(ctx, p)));
	if (kernelInstall) {
		const settings = await readKernelInstallSettings(ctx);
		if (kernelInstallConfigured(settings)) {
			return {
				name: 'kernel-install',
				reason: settings.installConfFile
					? `${kernelInstall} with an install.conf`
					: `${kernelInstall} with a BLS layout in ${settings.bootRoot}`,
			};
		}
	}
	const installkernel = INSTALLKERNEL_PROGRAMS.find((p) => existsSync(systemPath(ctx, p)));
	if (installkernel) return { name: 'installkernel', reason: `${installkernel} is installed` };
	if (nonEmptyDir(systemPath(ctx, '/etc/kernel/postinst.d')))
		return { name: 'installkernel', reason: '/etc/kernel/postinst.d has hooks' };
	return { name: 'builtin', reason: 'neither kernel-install nor installkernel is set up' };
}

export function backendByName(ctx: RuntimeContext, name: BackendName): Backend {
	switch (name) {
		case 'kernel-install':
			return kernelInstallBackend(ctx);
		case 'installkernel':
			return installkernelBackend(ctx);
		case 'builtin':
			return builtinBackend(ctx);
	}
}

export async function selectBackend(ctx: RuntimeContext): Promise<Backend> {
	const choice = await chooseBackend(ctx);
	ctx.logger.debug(`install backend: ${choice.name} (${choice.reason})`);
	return backendByName(ctx, choice.name);
}

/** Installed kernel files as the active backend sees them (for `clean` and `doctor`). */
export async function listInstalledKernels(ctx: RuntimeContext): Promise<InstalledKernel[]> {
	return (await selectBackend(ctx)).list();
}
