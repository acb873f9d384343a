// Signing and the Secure Boot gate with the real sbsign/sbverify/sbattach, on systemd's EFI stub (a small PE).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { efiBooleanFile, makeKeyPair } from '../../../../test/secureboot/keys';
import { isDistKernelError } from '../../../lib/errors';
import { EFI_GLOBAL_VARIABLE } from '../../../parsers/efi-variable';
import { countSignatures } from '../../../parsers/sbverify-list';
import { readDracutConfig } from '../dracut/config';
import { assertFirmwareAccepts, signForFirmware } from './firmware-image';
import { readFirmwareSecureBoot } from './firmware-state';
import { discoverSigningKey } from './signing-key';

const STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

let root: TempRoot | undefined;
afterEach(() => root?.cleanup());

function signatures(path: string): number {
	return countSignatures(
		execFileSync('sbverify', ['--list', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	);
}

function setFirmware(t: TempRoot, secureBoot: boolean, setupMode = false): void {
	mkdirSync(t.path('/sys/firmware/efi/efivars'), { recursive: true });
	writeFileSync(t.path(`/sys/firmware/efi/efivars/SecureBoot-${EFI_GLOBAL_VARIABLE}`), efiBooleanFile(secureBoot));
	writeFileSync(t.path(`/sys/firmware/efi/efivars/SetupMode-${EFI_GLOBAL_VARIABLE}`), efiBooleanFile(setupMode));
}

async function setup(config: Record<string, string> = {}) {
	root = makeTempRoot();
	makeKeyPair(root.path('/var/lib/sbctl/keys/db/db.key'), root.path('/var/lib/sbctl/keys/db/db.pem'));
	mkdirSync(root.path('/work'));
	copyFileSync(STUB, root.path('/work/image.efi'));
	const ctx = runtimeContext(root.root, { config });
	const key = discoverSigningKey(ctx, await readDracutConfig(ctx));
	return {
		ctx,
		key,
		image: root.path('/work/image.efi'),
		request: {
			image: root.path('/work/image.efi'),
			workDir: root.path('/work'),
			name: 'signed.efi',
			what: 'test image',
		},
	};
}

describe('signForFirmware', () => {
	it('signs once; re-signing an image signed by another key leaves one signature, ours', async () => {
		const { ctx, key, request } = await setup();
		expect(key?.source).toBe('sbctl');
		const first = await signForFirmware(ctx, key, request);
		expect(signatures(first.image)).toBe(1);
		// Signed by this key already: installed as it is.
		expect((await signForFirmware(ctx, key, { ...request, image: first.image, name: 'again.efi' })).image).toBe(
			first.image,
		);
		// Signed twice by others (a build host's key, then another): both go, ours is the only one.
		makeKeyPair(root!.path('/other/a.key'), root!.path('/other/a.crt'), 'other a');
		makeKeyPair(root!.path('/other/b.key'), root!.path('/other/b.crt'), 'other b');
		execFileSync(
			'sbsign',
			[
				'--key',
				root!.path('/other/a.key'),
				'--cert',
				root!.path('/other/a.crt'),
				'--output',
				root!.path('/work/a.efi'),
				request.image,
			],
			{ stdio: 'ignore' },
		);
		execFileSync(
			'sbsign',
			[
				'--key',
				root!.path('/other/b.key'),
				'--cert',
				root!.path('/other/b.crt'),
				'--output',
				root!.path('/work/ab.efi'),
				root!.path('/work/a.efi'),
			],
			{ stdio: 'ignore' },
		);
		expect(signatures(root!.path('/work/ab.efi'))).toBe(2);
		const resigned = await signForFirmware(ctx, key, {
			...request,
			image: root!.path('/work/ab.efi'),
			name: 'resigned.efi',
		});
		expect(signatures(resigned.image)).toBe(1);
		execFileSync('sbverify', ['--cert', key!.cert, resigned.image], { stdio: 'ignore' });
		expect(() =>
			execFileSync('sbverify', ['--cert', root!.path('/other/a.crt'), resigned.image], { stdio: 'ignore' }),
		).toThrow();
		// The stripped copy is byte for byte the unsigned original plus our signature.
		expect(readFileSync(resigned.image).length).toBe(readFileSync(first.image).length);
	});

	it('Secure Boot enabled and no key: secureboot.no-key before anything is signed', async () => {
		root = makeTempRoot();
		setFirmware(root, true);
		const ctx = runtimeContext(root.root);
		expect(readFirmwareSecureBoot(ctx).state).toBe('enabled');
		const error = await signForFirmware(ctx, undefined, {
			image: STUB,
			workDir: root.root,
			name: 'x.efi',
			what: 'test image',
		}).catch((e: unknown) => e);
		expect(isDistKernelError(error, 'secureboot.no-key')).toBe(true);
	});

	it('Secure Boot off or in setup mode: no key is no error, and the image stays as it is', async () => {
		root = makeTempRoot();
		setFirmware(root, true, true);
		const ctx = runtimeContext(root.root);
		expect(readFirmwareSecureBoot(ctx).state).toBe('setup-mode');
		expect(
			(await signForFirmware(ctx, undefined, { image: STUB, workDir: root.root, name: 'x.efi', what: 'test image' }))
				.image,
		).toBe(STUB);
	});

	it('a key that does not match its certificate: secureboot.sign-failed, no image written', async () => {
		const { ctx, key, request } = await setup();
		makeKeyPair(root!.path('/other/c.key'), root!.path('/other/c.crt'), 'other c');
		const error = await signForFirmware(ctx, { ...key!, key: root!.path('/other/c.key') }, request).catch(
			(e: unknown) => e,
		);
		expect(isDistKernelError(error, 'secureboot.sign-failed')).toBe(true);
		expect(existsSync(root!.path('/work/signed.efi'))).toBe(false);
	});

	it('the gate: with Secure Boot enforced, an unsigned or wrongly signed image is refused; with it off, not checked', async () => {
		const { ctx, key, image } = await setup();
		makeKeyPair(root!.path('/other/d.key'), root!.path('/other/d.crt'), 'other d');
		execFileSync(
			'sbsign',
			[
				'--key',
				root!.path('/other/d.key'),
				'--cert',
				root!.path('/other/d.crt'),
				'--output',
				root!.path('/work/d.efi'),
				image,
			],
			{ stdio: 'ignore' },
		);
		await assertFirmwareAccepts(ctx, key!, image, 'test image');
		setFirmware(root!, true);
		for (const bad of [image, root!.path('/work/d.efi')]) {
			const error = await assertFirmwareAccepts(ctx, key!, bad, 'test image').catch((e: unknown) => e);
			expect(isDistKernelError(error, 'secureboot.not-signed')).toBe(true);
		}
		const good = await signForFirmware(ctx, key, {
			image,
			workDir: root!.path('/work'),
			name: 'good.efi',
			what: 'test image',
		});
		await assertFirmwareAccepts(ctx, key!, good.image, 'test image');
	});
});
