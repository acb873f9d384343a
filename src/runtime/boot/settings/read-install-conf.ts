// Finds and reads install.conf as Gentoo's installkernel does: $INSTALLKERNEL_CONF_ROOT/install.conf when that is
// set (it must then exist), else the first of /etc/kernel, /run/kernel, /usr/local/lib/kernel, /usr/lib/kernel
// (systemd's kernel-install searches the same directories). Every path is under --root; the file is sourced by
// bash, as both tools do; INSTALLKERNEL_LAYOUT / _INITRD_GENERATOR / _UKI_GENERATOR override it.
import { existsSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import { systemView } from '../../../lib/root';
import { assertSafePath } from '../../../lib/validate';
import { INSTALL_CONF_VARIABLES, type InstallConf, interpretInstallConf } from '../../../parsers/install-conf';
import { sourceBashVariables } from '../../config-files/source-bash';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

export const INSTALL_CONF_DIRS = ['/etc/kernel', '/run/kernel', '/usr/local/lib/kernel', '/usr/lib/kernel'] as const;

export interface InstallConfRead {
	/** System path of the file read, if any. */
	file: string | undefined;
	/** System path of the directory holding it (installkernel's INSTALLKERNEL_CONF_ROOT); /etc/kernel when none. */
	confRoot: string;
	conf: InstallConf;
}

/** System path of the install.conf to read, or undefined when there is none. */
export function findInstallConf(ctx: Pick<RuntimeContext, 'root' | 'env'>): string | undefined {
	const confRoot = ctx.env['INSTALLKERNEL_CONF_ROOT'];
	if (confRoot) {
		assertSafePath(confRoot, 'INSTALLKERNEL_CONF_ROOT');
		const file = `${confRoot.replace(/\/+$/, '')}/install.conf`;
		if (!existsSync(systemPath(ctx, file))) {
			throw new DistKernelError(
				'install-conf.missing',
				`install.conf not found: ${file} (from INSTALLKERNEL_CONF_ROOT)`,
				{
					exitCode: 2,
					hint: 'create it, or unset INSTALLKERNEL_CONF_ROOT to use /etc/kernel/install.conf',
				},
			);
		}
		return file;
	}
	return INSTALL_CONF_DIRS.map((dir) => `${dir}/install.conf`).find((file) => existsSync(systemPath(ctx, file)));
}

export async function readInstallConf(ctx: Pick<RuntimeContext, 'root' | 'env' | 'exec'>): Promise<InstallConfRead> {
	const file = findInstallConf(ctx);
	const vars = file
		? await sourceBashVariables(
				ctx,
				[{ path: systemPath(ctx, file), shown: systemView(ctx.root, systemPath(ctx, file)) }],
				INSTALL_CONF_VARIABLES,
			)
		: new Map();
	const conf = interpretInstallConf(vars, ctx.env, file ?? 'the environment');
	return { file, confRoot: file ? file.slice(0, file.lastIndexOf('/')) || '/' : '/etc/kernel', conf };
}
