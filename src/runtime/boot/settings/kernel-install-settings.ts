// What systemd's kernel-install will decide, computed the same way (252's shell version and newer): install.conf,
// machine id, entry token, BOOT_ROOT, layout, plugin list — all under --root. Used to run it against a --root tree
// and to know which paths it is about to touch (for backups and the space check).
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDirectory } from '../../../lib/path-kind';
import { readTextOrUndefined } from '../../../lib/read-file';
import { systemView } from '../../../lib/root';
import {
	type InstallConf,
	type Layout,
	parseEntryToken,
	parseMachineId,
	parseVendorName,
} from '../../../parsers/install-conf';
import { parseOsRelease } from '../../../parsers/os-release';
import { listDropIns } from '../../config-files/drop-in-dirs';
import type { RuntimeContext } from '../../context';
import { isLiveRoot, systemPath } from '../../context';
import { readInstallConf } from './read-install-conf';

export interface KernelInstallSettings {
	/** Disk path of the directory holding install.conf, cmdline, entry-token ($KERNEL_INSTALL_CONF_ROOT). */
	confRoot: string;
	installConfFile: string | undefined;
	conf: InstallConf;
	machineId: string | undefined;
	entryToken: string;
	/** System path, e.g. /boot or /efi. */
	bootRoot: string;
	layout: Layout;
	/** os-release NAME when usable as the efistub vendor directory (Gentoo's 90-compat: EFI/<NAME>), else Linux. */
	vendorName: string;
	/** Disk paths of the plugins kernel-install will run, in order. */
	plugins: string[];
}

const PLUGIN_DIRS = [
	'/etc/kernel/install.d',
	'/run/kernel/install.d',
	'/usr/local/lib/kernel/install.d',
	'/usr/lib/kernel/install.d',
];

/** A directory is a mount point when its device differs from its parent's. */
function isMountPoint(path: string): boolean {
	try {
		return statSync(path).dev !== statSync(dirname(path)).dev;
	} catch {
		return false;
	}
}

/**
 * `tokenFallback`: the entry token when no candidate directory exists — the machine id (systemd 252's shell
 * kernel-install) or os-release IMAGE_ID/ID (systemd ≥ 255, what Gentoo's golden trees show: `gentoo`).
 */
export async function readKernelInstallSettings(
	ctx: Pick<RuntimeContext, 'root' | 'exec' | 'env'>,
	options: { tokenFallback?: 'machine-id' | 'os-id' } = {},
): Promise<KernelInstallSettings> {
	const read = await readInstallConf(ctx);
	const installConfFile = read.file ? systemPath(ctx, read.file) : undefined;
	const confRoot = installConfFile ? dirname(installConfFile) : systemPath(ctx, '/etc/kernel');
	const conf = read.conf;

	const machineId = conf.machineId ?? parseMachineId(readTextOrUndefined(systemPath(ctx, '/etc/machine-id')) ?? '');
	const osRelease = parseOsRelease(
		readTextOrUndefined(systemPath(ctx, '/etc/os-release')) ??
			readTextOrUndefined(systemPath(ctx, '/usr/lib/os-release')) ??
			'',
	);
	const tokenFile = readTextOrUndefined(systemPath(ctx, `${systemView(ctx.root, confRoot)}/entry-token`));
	const configuredToken = tokenFile?.trim()
		? parseEntryToken(tokenFile, `${systemView(ctx.root, confRoot)}/entry-token`)
		: undefined;
	// os-release values name directories on the boot partition: a hostile ID is refused, not used.
	const tokenCandidates = configuredToken
		? [configuredToken]
		: [
				machineId,
				osRelease['IMAGE_ID'] && parseEntryToken(osRelease['IMAGE_ID'], 'IMAGE_ID in os-release'),
				osRelease['ID'] && parseEntryToken(osRelease['ID'], 'ID in os-release'),
				'Default',
			].filter((t): t is string => Boolean(t));

	// kernel-install: BOOT_ROOT from the environment or install.conf, else the first of /efi /boot /boot/efi
	// holding an entry-token directory or loader/entries, else a mounted /efi or /boot/efi, else /boot.
	const envBootRoot = isLiveRoot(ctx) ? ctx.env['BOOT_ROOT'] : undefined;
	let bootRoot = envBootRoot || conf.bootRoot;
	let entryToken = configuredToken;
	if (!bootRoot || !entryToken) {
		search: for (const pref of bootRoot ? [bootRoot] : ['/efi', '/boot', '/boot/efi']) {
			for (const token of tokenCandidates) {
				if (isDirectory(systemPath(ctx, `${pref}/${token}`))) {
					bootRoot ??= pref;
					entryToken ??= token;
					break search;
				}
			}
			if (isDirectory(systemPath(ctx, `${pref}/loader/entries`))) {
				bootRoot ??= pref;
				break;
			}
		}
	}
	bootRoot ??= ['/efi', '/boot/efi'].find((p) => isMountPoint(systemPath(ctx, p))) ?? '/boot';
	if (options.tokenFallback === 'os-id')
		entryToken ??= tokenCandidates.find((t) => t !== machineId && t !== 'Default') ?? machineId ?? 'Default';
	entryToken ??= machineId ?? tokenCandidates[0] ?? 'Default';

	let layout = conf.layout;
	if (!layout) {
		const srel = readTextOrUndefined(systemPath(ctx, `${bootRoot}/loader/entries.srel`))?.trim();
		if (srel !== undefined) layout = srel === 'type1' ? 'bls' : 'other';
		else layout = isDirectory(systemPath(ctx, `${bootRoot}/${entryToken}`)) ? 'bls' : 'other';
	}

	const plugins = listDropIns(
		PLUGIN_DIRS.map((d) => systemPath(ctx, d)),
		'.install',
	).filter((p) => statSync(p).size > 0);
	let vendorName = 'Linux';
	try {
		vendorName = parseVendorName(osRelease['NAME'] || 'Linux', 'NAME in os-release');
	} catch {
		// Only the efistub layout uses it; resolve-layout.ts reports it there.
	}
	return { confRoot, installConfFile, conf, machineId, entryToken, bootRoot, layout, vendorName, plugins };
}

/**
 * True when the admin has set kernel-install up: an install.conf that chooses a layout, or a boot root it already
 * manages. systemd ships /usr/lib/kernel/install.conf with every line commented out: with it alone kernel-install
 * resolves layout "other" and installs nothing (found by the real-Portage flows, test/portage).
 */
export function kernelInstallConfigured(settings: KernelInstallSettings): boolean {
	return settings.conf.layout !== undefined || settings.layout === 'bls';
}
