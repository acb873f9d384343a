// installkernel-style hook directories (/etc/kernel/postinst.d …): executables run in name order with
// `KV IMAGE`; exit 77 stops the rest (as kernel-install(8) and installkernel define), anything else non-zero fails.
import { accessSync, constants, statSync } from 'node:fs';
import { DistKernelError, EXIT_SKIP_REST } from '../../../lib/errors';
import { systemView } from '../../../lib/root';
import { listDropIns } from '../../config-files/drop-in-dirs';
import { assertTrusted } from '../../config-files/trust';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import { PIPELINE_ENV } from './pipeline-env';

/** run-parts' rule: skip backup and package-manager leftovers. */
function isHookName(path: string): boolean {
	const name = path.slice(path.lastIndexOf('/') + 1);
	return /^[A-Za-z0-9_.-]+$/.test(name) && !/(~|\.dpkg-[a-z]+|\.rpm[a-z]+|\.cfg\d*|\.bak)$/.test(name);
}

export function listHooks(
	ctx: Pick<RuntimeContext, 'root'>,
	phase: 'preinst' | 'postinst' | 'prerm' | 'postrm',
): string[] {
	const dirs = [`/etc/kernel/${phase}.d`, `/usr/lib/kernel/${phase}.d`].map((d) => systemPath(ctx, d));
	for (const dir of dirs) assertTrusted(dir, systemView(ctx.root, dir));
	return listDropIns(dirs, '').filter((path) => {
		if (!isHookName(path) || statSync(path).size === 0) return false;
		try {
			accessSync(path, constants.X_OK);
			return true;
		} catch {
			return false;
		}
	});
}

export async function runHooks(
	ctx: RuntimeContext,
	phase: 'preinst' | 'postinst' | 'prerm' | 'postrm',
	args: readonly string[],
	extraEnv: Record<string, string> = {},
): Promise<void> {
	for (const hook of listHooks(ctx, phase)) {
		assertTrusted(hook, systemView(ctx.root, hook));
		const shown = systemView(ctx.root, hook);
		const end = ctx.logger.begin(`Running ${shown}`);
		const result = await ctx.exec(hook, args, {
			allowFailure: true,
			mutates: true,
			// The images are built: installkernel's generator hooks (52-dracut, 60-ukify…) run only for their own
			// generator name, and a hook running kernel-install reaches our plugin, which must not build again.
			env: {
				DIST_KERNEL_ROOT: ctx.root,
				INSTALLKERNEL_VERBOSE: ctx.verbose ? '1' : '0',
				INSTALLKERNEL_INITRD_GENERATOR: 'dist-kernel',
				INSTALLKERNEL_UKI_GENERATOR: 'dist-kernel',
				[PIPELINE_ENV]: '1',
				...extraEnv,
			},
		});
		if (result.exitCode === EXIT_SKIP_REST) {
			end(true);
			ctx.logger.info(`${shown} asked to skip the remaining ${phase}.d hooks (exit 77)`);
			return;
		}
		if (result.exitCode !== 0) {
			end(false);
			throw new DistKernelError(
				'hook.failed',
				`kernel ${phase} hook failed with exit code ${result.exitCode}: ${shown}`,
				{
					details: (result.stderr || result.stdout).trimEnd().split('\n').slice(-20).join('\n'),
				},
			);
		}
		end(true);
	}
}
