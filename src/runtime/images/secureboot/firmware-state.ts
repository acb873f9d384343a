// Whether the machine runs with Secure Boot enforced: the firmware's SecureBoot and SetupMode variables through
// efivarfs, read under the root (a --root tree has them only when the admin put them there, e.g. a bind mount).
import { readFileSync } from 'node:fs';
import { EFI_GLOBAL_VARIABLE, efiBoolean } from '../../../parsers/efi-variable';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

export const EFIVARS_DIR = '/sys/firmware/efi/efivars';

export interface FirmwareSecureBoot {
	/** 'enabled': SecureBoot=1 and not in setup mode; 'unknown': no efivars (BIOS boot, chroot, --root without them). */
	state: 'enabled' | 'disabled' | 'setup-mode' | 'unknown';
	secureBoot?: boolean | undefined;
	setupMode?: boolean | undefined;
}

function readVariable(ctx: Pick<RuntimeContext, 'root'>, name: string): boolean | undefined {
	try {
		return efiBoolean(readFileSync(systemPath(ctx, `${EFIVARS_DIR}/${name}-${EFI_GLOBAL_VARIABLE}`)));
	} catch {
		return undefined;
	}
}

export function readFirmwareSecureBoot(ctx: Pick<RuntimeContext, 'root'>): FirmwareSecureBoot {
	const secureBoot = readVariable(ctx, 'SecureBoot');
	const setupMode = readVariable(ctx, 'SetupMode');
	if (secureBoot === undefined) return { state: 'unknown', setupMode };
	if (setupMode === true) return { state: 'setup-mode', secureBoot, setupMode };
	return { state: secureBoot ? 'enabled' : 'disabled', secureBoot, setupMode };
}
