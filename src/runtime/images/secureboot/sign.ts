// Secure Boot signing of an EFI image with sbsign, idempotent: signatures already there are stripped first
// (sbattach --remove takes off the last one), so a re-signed image carries exactly one signature, ours.
import { copyFileSync } from 'node:fs';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import { countSignatures } from '../../../parsers/sbverify-list';
import type { RuntimeContext } from '../../context';
import type { SigningKey } from './signing-key';

export type SigningKeys = Pick<SigningKey, 'cert' | 'key' | 'engine'>;

const TIMEOUT = 120_000;

export async function signatureCount(ctx: Pick<RuntimeContext, 'exec'>, image: string): Promise<number> {
	const listed = await ctx.exec('sbverify', ['--list', image], { timeout: TIMEOUT, allowFailure: true });
	return countSignatures(listed.stdout);
}

/** True when one of the image's signatures verifies against `cert` (sbverify exits 0). */
export async function verifiesWith(ctx: Pick<RuntimeContext, 'exec'>, cert: string, image: string): Promise<boolean> {
	const result = await ctx.exec('sbverify', ['--cert', cert, image], { timeout: TIMEOUT, allowFailure: true });
	return result.exitCode === 0;
}

/** `output` = `input` with every earlier signature removed and one signature by `keys`. */
export async function signImage(
	ctx: Pick<RuntimeContext, 'exec' | 'dryRun'>,
	keys: SigningKeys,
	input: string,
	output: string,
): Promise<void> {
	let source = input;
	const existing = ctx.dryRun ? 0 : await signatureCount(ctx, input);
	if (existing > 0) {
		const stripped = `${output}.unsigned`;
		copyFileSync(input, stripped);
		for (let i = 0; i < existing; i++)
			await ctx.exec('sbattach', ['--remove', stripped], { timeout: TIMEOUT, mutates: true });
		source = stripped;
	}
	try {
		await ctx.exec(
			'sbsign',
			[
				...(keys.engine ? ['--engine', keys.engine] : []),
				'--key',
				keys.key,
				'--cert',
				keys.cert,
				'--output',
				output,
				source,
			],
			{
				timeout: TIMEOUT,
				mutates: true,
			},
		);
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		throw new DistKernelError('secureboot.sign-failed', `signing failed: ${input}`, {
			cause: error,
			details: error.details,
			hint: 'check that the key matches the certificate and that sbsign can read it',
		});
	}
}
