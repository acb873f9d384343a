// What `status` and `doctor` say about Secure Boot: the firmware's state, the key discovery's answer, and which
// of the images we install that key signs.
import { isDistKernelError } from '../../../lib/errors';
import type { Layout } from '../../../parsers/install-conf';
import { readInstallConf } from '../../boot/settings/read-install-conf';
import type { RuntimeContext } from '../../context';
import { type DracutConfig, readDracutConfig } from '../dracut/config';
import { firmwareStartsKernel } from './firmware-image';
import { type FirmwareSecureBoot, readFirmwareSecureBoot } from './firmware-state';
import { discoverSigningKey, type KeySource } from './signing-key';

export interface SecureBootStatus {
	firmware: FirmwareSecureBoot['state'];
	key?: { source: KeySource; origin: string; key: string; cert: string; engine?: string | undefined };
	/** Why no key could be taken (an incomplete or broken source). */
	keyError?: { code: string; message: string; hint?: string | undefined };
	/** What the key signs (or would sign) on this system. */
	signs: string[];
}

export async function collectSecureBoot(ctx: RuntimeContext): Promise<SecureBootStatus> {
	const firmware = readFirmwareSecureBoot(ctx).state;
	const signs: string[] = [];
	let dracut: DracutConfig;
	try {
		dracut = await readDracutConfig(ctx);
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		return { firmware, keyError: { code: error.code, message: error.message, hint: error.hint }, signs };
	}
	let layout: Layout | undefined;
	try {
		layout = (await readInstallConf(ctx)).conf.layout;
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
	}
	const uki = ctx.config.uki === 'yes' || (ctx.config.uki === 'auto' && dracut.uefi) || layout === 'uki';
	if (uki) signs.push('unified kernel images');
	else if (firmwareStartsKernel(layout)) signs.push(`kernel images (layout=${layout}: the firmware starts them)`);
	if (ctx.config.rescueImage && (uki || firmwareStartsKernel(layout))) signs.push('the rescue image');
	if (ctx.config.genericImage === 'uki') signs.push('generic UKIs put into kernel binary packages (build host)');
	try {
		const key = discoverSigningKey(ctx, dracut);
		if (!key) return { firmware, signs };
		return {
			firmware,
			key: {
				source: key.source,
				origin: key.origin,
				key: key.shownKey,
				cert: key.shownCert,
				...(key.engine ? { engine: key.engine } : {}),
			},
			signs,
		};
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		return { firmware, keyError: { code: error.code, message: error.message, hint: error.hint }, signs };
	}
}

const FIRMWARE: Record<SecureBootStatus['firmware'], string> = {
	enabled: 'enabled',
	disabled: 'disabled',
	'setup-mode': 'in setup mode (not enforcing)',
	unknown: 'unknown (no EFI variables)',
};

export function describeSecureBoot(status: SecureBootStatus): string[] {
	const lines = [`Secure Boot: ${FIRMWARE[status.firmware]}`];
	if (status.key) {
		const how = status.key.engine ? ` (engine ${status.key.engine})` : '';
		const from = status.key.source === 'sbctl' ? "sbctl's key store" : status.key.origin;
		lines.push(`  signing key: ${status.key.key}${how}, certificate ${status.key.cert} (from ${from})`);
		lines.push(
			`  signs: ${status.signs.length > 0 ? status.signs.join('; ') : 'nothing here (no UKI, no EFI-stub layout)'}`,
		);
	} else if (status.keyError) {
		lines.push(`  signing key: unusable: ${status.keyError.message}`);
	} else {
		lines.push(`  signing key: none${status.signs.length > 0 ? ` (unsigned: ${status.signs.join('; ')})` : ''}`);
	}
	return lines;
}
