// installkernel's 05-check-chroot: inside a chroot, an image built without a configured kernel command line gets
// the build host's /proc/cmdline baked in (dracut's hostonly_cmdline) — an installed system that boots the wrong
// root. Refused before anything is built, naming where to configure one.
import { existsSync, readdirSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import { scalarOf } from '../../../parsers/bash-declare';
import { inChroot } from '../../boot/settings/in-chroot';
import { readKernelCmdline } from '../../boot/settings/kernel-cmdline';
import type { RuntimeContext } from '../../context';
import { isLiveRoot, systemPath } from '../../context';
import type { DracutConfig } from './config';

function yes(value: string | undefined): boolean {
	return value !== undefined && /^(yes|y|1|true)$/i.test(value.trim());
}

function no(value: string | undefined): boolean {
	return value !== undefined && /^(no|n|0|false)$/i.test(value.trim());
}

/** A command line dracut will use instead of /proc/cmdline, as 05-check-chroot looks for one. */
export function dracutCmdlineConfigured(ctx: Pick<RuntimeContext, 'root'>, dracut: DracutConfig): boolean {
	if (existsSync(systemPath(ctx, '/etc/cmdline'))) return true;
	try {
		if (readdirSync(systemPath(ctx, '/etc/cmdline.d')).some((name) => name.endsWith('.conf'))) return true;
	} catch {
		// No such directory.
	}
	const value = (name: string) => scalarOf(dracut.values.get(name));
	if (value('kernel_cmdline')?.trim()) return true;
	if (no(value('hostonly_cmdline'))) return true;
	if (no(value('hostonly')) && !yes(value('hostonly_cmdline'))) return true;
	return false;
}

/**
 * Live system inside a chroot: installkernel's rule exactly. Under --root: refused only when dracut is explicitly
 * host-only (its default is not), since host-only detection then reads the build host.
 */
export function assertNotBakingHostCmdline(
	ctx: Pick<RuntimeContext, 'root'>,
	dracut: DracutConfig,
	uki: boolean,
): void {
	const live = isLiveRoot(ctx);
	if (live && !inChroot()) return;
	if (!live && !yes(scalarOf(dracut.values.get('hostonly')))) return;
	if (dracutCmdlineConfigured(ctx, dracut)) return;
	if (uki && readKernelCmdline(ctx)) return;
	throw new DistKernelError(
		'chroot.cmdline',
		`refusing to build the initramfs ${live ? 'inside a chroot' : `for ${ctx.root}`} with no kernel command line configured: dracut would bake in the build host's /proc/cmdline`,
		{
			exitCode: 2,
			hint: 'write the command line into /etc/cmdline.d/*.conf (or set kernel_cmdline= in /etc/dracut.conf.d/*.conf, or hostonly_cmdline="no"); nothing was built or written',
		},
	);
}
