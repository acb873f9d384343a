import { DistKernelError } from '../../../lib/errors';
import { readTextOrUndefined } from '../../../lib/read-file';
import { type Layout, parseEntryToken, parseTries, parseVendorName } from '../../../parsers/install-conf';
import { parseOsRelease } from '../../../parsers/os-release';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import { readKernelInstallSettings } from '../settings/kernel-install-settings';
import { type InstallConfRead, readInstallConf } from '../settings/read-install-conf';
import { ESP_CANDIDATES, findEsp } from './boot-places';
import type { LayoutNames } from './layout-plan';

export interface ResolvedLayout {
	layout: Layout;
	/** Where the layout came from, for messages and the install log. */
	source: string;
	installConf: InstallConfRead;
	names: LayoutNames;
	/** System paths. `esp` only when found. */
	places: { boot: string; esp: string | undefined; bootRoot: string };
	osRelease: Record<string, string>;
	machineId: string | undefined;
}

export function readOsRelease(ctx: Pick<RuntimeContext, 'root'>): Record<string, string> {
	return parseOsRelease(
		readTextOrUndefined(systemPath(ctx, '/etc/os-release')) ??
			readTextOrUndefined(systemPath(ctx, '/usr/lib/os-release')) ??
			'',
	);
}

/** Names for `kv`; the vendor name is only checked when the efistub layout needs it (Debian's NAME has a '/'). */
export function layoutNames(
	osRelease: Record<string, string>,
	entryToken: string,
	kv: string,
	layout: Layout,
): LayoutNames {
	const id = parseEntryToken(osRelease['ID'] || 'linux', 'ID in os-release');
	let vendorName = 'Linux';
	try {
		vendorName = parseVendorName(osRelease['NAME'] || 'Linux', 'NAME in os-release');
	} catch (error) {
		if (layout === 'efistub') throw error;
	}
	return { kv, id, vendorName, entryToken };
}

/** systemd's 90-loaderentry: boot counting when /etc/kernel/tries exists (bls). */
function readTries(ctx: Pick<RuntimeContext, 'root'>): { tries?: number } {
	const text = readTextOrUndefined(systemPath(ctx, '/etc/kernel/tries'));
	return text === undefined ? {} : { tries: parseTries(text, '/etc/kernel/tries') };
}

function espSubdir(layout: Layout, names: LayoutNames): string[] {
	return layout === 'uki' ? ['Linux'] : [names.vendorName];
}

export async function resolveLayout(
	ctx: RuntimeContext,
	kv: string,
	options: { requireEsp?: boolean } = {},
): Promise<ResolvedLayout> {
	const installConf = await readInstallConf(ctx);
	const layout = installConf.conf.layout ?? 'compat';
	const source = installConf.conf.layout
		? ctx.env['INSTALLKERNEL_LAYOUT']?.trim()
			? '$INSTALLKERNEL_LAYOUT'
			: installConf.file!
		: 'default (no layout= in install.conf)';
	const settings = await readKernelInstallSettings(ctx, { tokenFallback: 'os-id' });
	const osRelease = readOsRelease(ctx);
	const names = { ...layoutNames(osRelease, settings.entryToken, kv, layout), ...readTries(ctx) };
	const esp = layout === 'uki' || layout === 'efistub' ? findEsp(ctx, espSubdir(layout, names)) : findEsp(ctx, []);
	if ((layout === 'uki' || layout === 'efistub') && !esp && options.requireEsp !== false) {
		throw new DistKernelError(
			'layout.no-esp',
			`layout=${layout} (${source}) needs the EFI system partition, and none was found`,
			{
				details: `looked for an EFI directory in ${ESP_CANDIDATES.join(', ')} and for a vfat file system mounted at /efi, /boot/efi or /boot`,
				hint: `mount the ESP at /efi or /boot/efi (with its EFI directory), or set layout=compat in ${installConf.file ?? '/etc/kernel/install.conf'}; nothing was written`,
			},
		);
	}
	return {
		layout,
		source,
		installConf,
		names,
		places: { boot: '/boot', esp, bootRoot: settings.bootRoot },
		osRelease,
		machineId: settings.machineId,
	};
}
