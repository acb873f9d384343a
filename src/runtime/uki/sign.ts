// Secure Boot signing of the UKI with sbsign, using dracut's uefi_secureboot_cert/key (resolved under the root).
import { existsSync } from 'node:fs';
import { DistKernelError } from '../../lib/errors';
import type { RuntimeContext } from '../context';
import { systemPath } from '../context';
import { assertTrusted } from '../config-files/trust';

export interface SigningKeys {
	cert: string;
	key: string;
	engine?: string | undefined;
}

/** Both or neither, as dracut requires; returns disk paths. */
export function resolveSigningKeys(
	ctx: Pick<RuntimeContext, 'root'>,
	config: { secureBootCert: string | undefined; secureBootKey: string | undefined; secureBootEngine: string | undefined },
): SigningKeys | undefined {
	const { secureBootCert: cert, secureBootKey: key } = config;
	if (!cert && !key) return undefined;
	if (!cert || !key) {
		throw new DistKernelError('uki.signing-config', 'UKI signing configuration incomplete: uefi_secureboot_cert and uefi_secureboot_key must both be set', {
			exitCode: 2,
			hint: 'set both in /etc/dracut.conf.d, or neither',
		});
	}
	const certPath = systemPath(ctx, cert);
	// An engine (pkcs11) key is a URI, not a file.
	const keyPath = config.secureBootEngine ? key : systemPath(ctx, key);
	for (const [path, shown] of [[certPath, cert], ...(config.secureBootEngine ? [] : [[keyPath, key]])] as Array<[string, string]>) {
		if (!existsSync(path)) throw new DistKernelError('uki.signing-key-missing', `Secure Boot signing file not found: ${shown}`, { exitCode: 2 });
		assertTrusted(path, shown);
	}
	return { cert: certPath, key: keyPath, engine: config.secureBootEngine };
}

export async function signImage(ctx: Pick<RuntimeContext, 'exec'>, keys: SigningKeys, input: string, output: string): Promise<void> {
	await ctx.exec('sbsign', [...(keys.engine ? ['--engine', keys.engine] : []), '--key', keys.key, '--cert', keys.cert, '--output', output, input], {
		timeout: 120_000,
		mutates: true,
	});
}
