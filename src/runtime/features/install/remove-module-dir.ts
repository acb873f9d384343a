// At a kernel package's own removal (kernel-install.eclass pkg_postrm → `dist-kernel remove KV --package CAT/PF`),
// its module directory. Portage never deletes files under /lib/modules (make.globals: UNINSTALL_IGNORE=
// "/lib/modules/*", for the running kernel's sake), so after `emerge --depclean` of a kernel its whole module tree
// stays, with depmod's indexes and the modules replaced module packages left there: all of it goes, unless another
// installed package still owns files there. At pkg_postrm the package is still recorded in the VDB (Portage drops
// the entry afterwards), which tells that the caller is the kernel package owning the directory.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { underRoot } from '../../../lib/root';
import { MODULES_DIR } from '../../boot/files/installed-kernels';
import type { RuntimeContext } from '../../context';
import { moduleDirOwners } from '../../portage/vdb/module-dir-owners';

/** The module directory removed, or undefined when it was kept (absent, not the package's, still owned). */
export function removeModuleDirOfPackage(
	ctx: Pick<RuntimeContext, 'root' | 'dryRun' | 'logger'>,
	kv: string,
	pkg: string,
): string | undefined {
	const dir = `${MODULES_DIR}/${kv}`;
	const path = join(underRoot(ctx.root, MODULES_DIR), kv);
	if (!existsSync(path)) return undefined;
	const owners = moduleDirOwners(ctx.root, [kv]).get(kv) ?? [];
	if (!owners.includes(pkg)) return undefined;
	const others = owners.filter((cpv) => cpv !== pkg);
	if (others.length > 0) {
		ctx.logger.info(`${dir} kept: it still holds files of ${others.join(', ')}`);
		return undefined;
	}
	if (ctx.dryRun) {
		ctx.logger.info(`(dry run) would remove ${dir}`);
		return dir;
	}
	rmSync(path, { recursive: true, force: true });
	ctx.logger.log(`${dir} removed (Portage keeps /lib/modules/* on unmerge: UNINSTALL_IGNORE)`);
	return dir;
}
