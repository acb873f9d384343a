// Verification under enforcing firmware: OVMF's Secure Boot build with the admin's certificate enrolled as PK,
// KEK and db in a scratch copy of the variable store (written by parsers/ovmf-vars.ts before the first boot), so
// the firmware starts only what that key signed. On a Secure Boot machine, or with verify-secureboot = yes.
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import { enrollCertificate } from '../../../parsers/ovmf-vars';
import type { RuntimeContext } from '../../context';
import { readDracutConfig } from '../dracut/config';
import { readFirmwareSecureBoot } from '../secureboot/firmware-state';
import { discoverSigningKey, type SigningKey } from '../secureboot/signing-key';
import { findSecureBootOvmf, type Ovmf } from './firmware';

/** Signature owner of our enrolled entries (any GUID will do; a fixed one keeps stores comparable). */
export const ENROLL_OWNER = 'd1573a5c-9c62-4bd4-8c0b-6f2d3a1e7b44';

export interface SecureBootVerification {
	ovmf: Ovmf;
	/** Disk path of the certificate to enroll, and as the admin named it. */
	cert: string;
	shownCert: string;
}

/** Undefined when the boot is not to run under Secure Boot; throws when it should but cannot. */
export async function secureBootVerification(
	ctx: RuntimeContext,
	key?: SigningKey,
): Promise<SecureBootVerification | undefined> {
	const mode = ctx.config.verifySecureboot;
	if (mode === 'no') return undefined;
	if (mode === 'auto' && readFirmwareSecureBoot(ctx).state !== 'enabled') return undefined;
	const found = key ?? discoverSigningKey(ctx, await readDracutConfig(ctx));
	if (!found) {
		throw new DistKernelError(
			'verify.secureboot-no-key',
			'cannot verify under Secure Boot: no signing certificate to enroll in the test firmware',
			{
				hint: 'configure the Secure Boot key (README "Secure Boot"), or set verify-secureboot = no',
			},
		);
	}
	return { ovmf: findSecureBootOvmf(), cert: found.cert, shownCert: found.shownCert };
}

/** Writes the variable store the guest boots with: the setup-mode template with the certificate enrolled. */
export function writeEnrolledVars(sb: SecureBootVerification, output: string, when: Date = new Date()): void {
	let der: Buffer;
	try {
		der = new X509Certificate(readFileSync(sb.cert)).raw;
	} catch (error) {
		throw new DistKernelError(
			'verify.secureboot-cert',
			`cannot read the Secure Boot certificate to enroll: ${sb.shownCert}`,
			{ cause: error, hint: 'it must be an X.509 certificate, PEM or DER' },
		);
	}
	writeFileSync(output, enrollCertificate(readFileSync(sb.ovmf.vars), der, ENROLL_OWNER, when), { mode: 0o600 });
}
