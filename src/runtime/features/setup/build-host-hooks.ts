// Build hosts: Portage sources /etc/portage/env/<category>/<name> in every phase of that package (ebuild.sh
// __source_env_files), so a `post_src_install` there runs after the kernel ebuild's own src_install, on its image
// directory, before the binary package is made. Ours calls `dist-kernel generic-image`, which follows the
// generic-image setting (no, initramfs, uki): binary packages then carry a generic boot image clients install as is.
import { readFileSync, rmSync } from 'node:fs';
import { underRoot } from '../../../lib/root';
import type { SetupRecord } from '../../state/setup-record';
import { sha256 } from './config-protect';

export const PORTAGE_ENV_DIR = '/etc/portage/env';

export function buildHostHookPath(kernelPackage: string): string {
	return `${PORTAGE_ENV_DIR}/${kernelPackage}`;
}

export function renderBuildHostHook(kernelPackage: string): string {
	return [
		`# Written by \`dist-kernel setup --build-host\` for ${kernelPackage}; \`dist-kernel setup --no-build-host\` removes it.`,
		'# After src_install, dist-kernel puts a generic initramfs or UKI beside the kernel image, following',
		'# generic-image in /etc/dist-kernel/dist-kernel.conf (no, initramfs, uki), so that binary packages built',
		'# here carry it and clients install it without running dracut.',
		'post_src_install() {',
		'\tif ! command -v dist-kernel >/dev/null; then',
		'\t\tewarn "dist-kernel is not installed: no generic boot image in this package"',
		'\t\treturn 0',
		'\tfi',
		'\tdist-kernel generic-image --destdir "${ED}" || die "dist-kernel generic-image failed"',
		'}',
		'',
	].join('\n');
}

/** Hook files a previous setup wrote (recorded), i.e. whether this is a build host now. */
export function recordedBuildHostHooks(record: SetupRecord): string[] {
	return record.files.map((f) => f.path).filter((p) => p.startsWith(`${PORTAGE_ENV_DIR}/`));
}

/** Removes our hook files that are unchanged since we wrote them; returns the ones kept because they were edited. */
export function removeBuildHostHooks(
	root: string,
	record: SetupRecord,
	dryRun: boolean,
): { removed: string[]; kept: string[] } {
	const removed: string[] = [];
	const kept: string[] = [];
	for (const path of recordedBuildHostHooks(record)) {
		const own = record.files.find((f) => f.path === path)?.sha256;
		let text: string | undefined;
		try {
			text = readFileSync(underRoot(root, path), 'utf8');
		} catch {
			text = undefined;
		}
		if (text !== undefined && sha256(text) !== own) {
			kept.push(path);
			continue;
		}
		if (!dryRun) rmSync(underRoot(root, path), { force: true });
		removed.push(path);
	}
	if (!dryRun) record.files = record.files.filter((f) => !removed.includes(f.path) && !kept.includes(f.path));
	return { removed, kept };
}
