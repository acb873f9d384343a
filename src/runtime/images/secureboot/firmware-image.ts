// Every image the UEFI firmware executes that we install (a UKI anywhere; the kernel itself where it is started as
// an EFI program: layout=efistub, or a BLS entry systemd-boot starts through the firmware's LoadImage) is signed
// with the discovered key. On a machine running with Secure Boot, an image sbverify does not accept with the
// configured certificate is refused before anything is written: the firmware would refuse to start it.
import { join } from 'node:path';
import { DistKernelError } from '../../../lib/errors';
import type { Layout } from '../../../parsers/install-conf';
import type { RuntimeContext } from '../../context';
import { readFirmwareSecureBoot } from './firmware-state';
import { signatureCount, signImage, verifiesWith } from './sign';
import { describeKey, type SigningKey } from './signing-key';

/** Layouts whose kernel image the firmware itself starts (an EFI-stub kernel). */
export function firmwareStartsKernel(layout: Layout | undefined): boolean {
	return layout === 'efistub' || layout === 'uki' || layout === 'bls';
}

/** Fails before dracut runs when the firmware enforces Secure Boot and no key can sign what it would start. */
export function assertCanSign(ctx: Pick<RuntimeContext, 'root'>, key: SigningKey | undefined, what: string): void {
	if (key) return;
	if (readFirmwareSecureBoot(ctx).state !== 'enabled') return;
	throw new DistKernelError(
		'secureboot.no-key',
		`cannot install ${what}: this machine runs with Secure Boot enabled and no signing key is configured`,
		{
			hint: 'set secureboot-key and secureboot-cert in /etc/dist-kernel/dist-kernel.conf (or SECUREBOOT_SIGN_KEY/_CERT in make.conf, dracut\'s uefi_secureboot_key/_cert, or create sbctl\'s keys); see README "Secure Boot"',
		},
	);
}

export interface FirmwareImageRequest {
	/** Disk path of the image as built (or shipped). */
	image: string;
	/** Where a signed copy goes (a work directory). */
	workDir: string;
	name: string;
	/** For messages: "unified kernel image for 6.6.30-gentoo-dist". */
	what: string;
}

/**
 * The image to install: `image` itself when it carries exactly one signature our certificate accepts (a prebuilt
 * UKI signed by this key), else a copy signed by `key` (every earlier signature removed). With Secure Boot on,
 * the result must verify against the configured certificate, or nothing is installed.
 */
export async function signForFirmware(
	ctx: RuntimeContext,
	key: SigningKey | undefined,
	request: FirmwareImageRequest,
): Promise<{ image: string; signed: boolean }> {
	assertCanSign(ctx, key, request.what);
	let image = request.image;
	if (key && !ctx.dryRun) {
		const count = await signatureCount(ctx, image);
		const ours = count === 1 && (await verifiesWith(ctx, key.cert, image));
		if (!ours) {
			const end = ctx.logger.begin(`Signing the ${request.what} (sbsign)`);
			const output = join(request.workDir, request.name);
			try {
				await signImage(ctx, key, image, output);
				end(true);
			} catch (error) {
				end(false);
				throw error;
			}
			image = output;
		} else {
			ctx.logger.debug(`${request.what} is already signed with ${describeKey(key)}`);
		}
	} else if (key) {
		ctx.logger.info(`(dry run) would sign the ${request.what} with ${describeKey(key)}`);
	}
	if (key && !ctx.dryRun) await assertFirmwareAccepts(ctx, key, image, request.what);
	return { image, signed: key !== undefined };
}

/** With Secure Boot enforced, `image` must carry a signature sbverify accepts with the key's certificate. */
export async function assertFirmwareAccepts(
	ctx: Pick<RuntimeContext, 'root' | 'exec'>,
	key: Pick<SigningKey, 'cert' | 'shownCert'>,
	image: string,
	what: string,
): Promise<void> {
	if (readFirmwareSecureBoot(ctx).state !== 'enabled') return;
	if (await verifiesWith(ctx, key.cert, image)) return;
	throw new DistKernelError(
		'secureboot.not-signed',
		`refusing to install the ${what}: its signature does not verify against ${key.shownCert}, and this machine enforces Secure Boot`,
		{
			hint: 'the firmware would refuse to start it; check that the key and the certificate belong together',
		},
	);
}
