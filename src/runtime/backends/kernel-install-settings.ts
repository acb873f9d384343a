// What systemd's kernel-install will decide, computed the same way (252's shell version and newer): install.conf,
// machine id, entry token, BOOT_ROOT, layout, plugin list — all under --root. Used to run it against a --root tree
// and to know which paths it is about to touch (for backups and the space check).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { systemView } from '../../lib/root';
import { INSTALL_CONF_VARIABLES, interpretInstallConf, parseMachineId, type InstallConf, type Layout } from '../../parsers/install-conf';
import { parseOsRelease } from '../../parsers/os-release';
import type { RuntimeContext } from '../context';
import { isLiveRoot, systemPath } from '../context';
import { listDropIns } from '../config-files/drop-in-dirs';
import { sourceBashVariables } from '../config-files/source-bash';

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
	/** Disk paths of the plugins kernel-install will run, in order. */
	plugins: string[];
}

const PLUGIN_DIRS = ['/etc/kernel/install.d', '/run/kernel/install.d', '/usr/local/lib/kernel/install.d', '/usr/lib/kernel/install.d'];

function readText(path: string): string | undefined {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return undefined;
	}
}

function isDir(path: string): boolean {
	try {
		return statSync(path).isDirectory();
	} catch {
		return false;
	}
}

/** A directory is a mount point when its device differs from its parent's. */
function isMountPoint(path: string): boolean {
	try {
		return statSync(path).dev !== statSync(dirname(path)).dev;
	} catch {
		return false;
	}
}

export function installConfCandidates(ctx: Pick<RuntimeContext, 'root'>): string[] {
	return ['/etc/kernel/install.conf', '/usr/lib/kernel/install.conf'].map((p) => systemPath(ctx, p));
}

export async function readKernelInstallSettings(ctx: Pick<RuntimeContext, 'root' | 'exec' | 'env'>): Promise<KernelInstallSettings> {
	const installConfFile = installConfCandidates(ctx).find((p) => existsSync(p));
	const confRoot = installConfFile ? dirname(installConfFile) : systemPath(ctx, '/etc/kernel');
	const vars = installConfFile
		? await sourceBashVariables(ctx, [{ path: installConfFile, shown: systemView(ctx.root, installConfFile) }], INSTALL_CONF_VARIABLES)
		: new Map();
	const conf = interpretInstallConf(vars);

	const machineId = conf.machineId ?? parseMachineId(readText(systemPath(ctx, '/etc/machine-id')) ?? '');
	const osRelease = parseOsRelease(readText(systemPath(ctx, '/etc/os-release')) ?? readText(systemPath(ctx, '/usr/lib/os-release')) ?? '');
	const configuredToken = readText(systemPath(ctx, '/etc/kernel/entry-token'))?.trim() || undefined;
	const tokenCandidates = configuredToken
		? [configuredToken]
		: [machineId, osRelease['IMAGE_ID'], osRelease['ID'], 'Default'].filter((t): t is string => Boolean(t));

	// kernel-install: BOOT_ROOT from the environment or install.conf, else the first of /efi /boot /boot/efi
	// holding an entry-token directory or loader/entries, else a mounted /efi or /boot/efi, else /boot.
	const envBootRoot = isLiveRoot(ctx) ? ctx.env['BOOT_ROOT'] : undefined;
	let bootRoot = envBootRoot || conf.bootRoot;
	let entryToken = configuredToken;
	if (!bootRoot || !entryToken) {
		search: for (const pref of bootRoot ? [bootRoot] : ['/efi', '/boot', '/boot/efi']) {
			for (const token of tokenCandidates) {
				if (isDir(systemPath(ctx, `${pref}/${token}`))) {
					bootRoot ??= pref;
					entryToken ??= token;
					break search;
				}
			}
			if (isDir(systemPath(ctx, `${pref}/loader/entries`))) {
				bootRoot ??= pref;
				break;
			}
		}
	}
	bootRoot ??= ['/efi', '/boot/efi'].find((p) => isMountPoint(systemPath(ctx, p))) ?? '/boot';
	entryToken ??= machineId ?? tokenCandidates[0] ?? 'Default';

	let layout = conf.layout;
	if (!layout) {
		const srel = readText(systemPath(ctx, `${bootRoot}/loader/entries.srel`))?.trim();
		if (srel !== undefined) layout = srel === 'type1' ? 'bls' : 'other';
		else layout = isDir(systemPath(ctx, `${bootRoot}/${entryToken}`)) ? 'bls' : 'other';
	}

	const plugins = listDropIns(PLUGIN_DIRS.map((d) => systemPath(ctx, d)), '.install').filter((p) => statSync(p).size > 0);
	return { confRoot, installConfFile, conf, machineId, entryToken, bootRoot, layout, plugins };
}

/**
 * True when the admin has set kernel-install up: an install.conf that chooses a layout, or a boot root it already
 * manages. systemd ships /usr/lib/kernel/install.conf with every line commented out: with it alone kernel-install
 * resolves layout "other" and installs nothing (found by the real-Portage flows, test/portage).
 */
export function kernelInstallConfigured(settings: KernelInstallSettings): boolean {
	return settings.conf.layout !== undefined || settings.layout === 'bls';
}
