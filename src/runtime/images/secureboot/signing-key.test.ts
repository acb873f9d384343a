// Key discovery order with real files under a temp root (config > make.conf > dracut > sbctl).
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { makeKeyPair } from '../../../../test/secureboot/keys';
import { isDistKernelError } from '../../../lib/errors';
import { readDracutConfig } from '../dracut/config';
import { discoverSigningKey, KEY_SOURCES } from './signing-key';

let root: TempRoot | undefined;
afterEach(() => root?.cleanup());

function withAllFour(t: TempRoot): void {
	makeKeyPair(t.path('/etc/dist-kernel/keys/db.key'), t.path('/etc/dist-kernel/keys/db.crt'), 'config');
	makeKeyPair(t.path('/etc/portage/keys/sb.key'), t.path('/etc/portage/keys/sb.pem'), 'make.conf');
	makeKeyPair(t.path('/etc/dracut-keys/db.key'), t.path('/etc/dracut-keys/db.crt'), 'dracut');
	makeKeyPair(t.path('/var/lib/sbctl/keys/db/db.key'), t.path('/var/lib/sbctl/keys/db/db.pem'), 'sbctl');
	t.write(
		'/etc/portage/make.conf',
		'SECUREBOOT_SIGN_KEY="/etc/portage/keys/sb.key"\nSECUREBOOT_SIGN_CERT="/etc/portage/keys/sb.pem"\n',
	);
	t.write(
		'/etc/dracut.conf.d/sb.conf',
		'uefi_secureboot_key="/etc/dracut-keys/db.key"\nuefi_secureboot_cert="/etc/dracut-keys/db.crt"\n',
	);
}

async function discover(t: TempRoot, config: Record<string, string> = {}) {
	const ctx = runtimeContext(t.root, { config });
	return discoverSigningKey(ctx, await readDracutConfig(ctx));
}

describe('discoverSigningKey', () => {
	it('takes the first source in the documented order, each read under the root', async () => {
		root = makeTempRoot();
		withAllFour(root);
		expect(KEY_SOURCES).toEqual(['config', 'make.conf', 'dracut', 'sbctl']);
		const config = { securebootKey: '/etc/dist-kernel/keys/db.key', securebootCert: '/etc/dist-kernel/keys/db.crt' };
		expect(await discover(root, config)).toMatchObject({
			source: 'config',
			key: root.path('/etc/dist-kernel/keys/db.key'),
			cert: root.path('/etc/dist-kernel/keys/db.crt'),
		});
		expect(await discover(root)).toMatchObject({
			source: 'make.conf',
			key: root.path('/etc/portage/keys/sb.key'),
			shownCert: '/etc/portage/keys/sb.pem',
		});
		root.write('/etc/portage/make.conf', '');
		expect(await discover(root)).toMatchObject({ source: 'dracut', key: root.path('/etc/dracut-keys/db.key') });
		root.write('/etc/dracut.conf.d/sb.conf', '');
		expect(await discover(root)).toMatchObject({
			source: 'sbctl',
			key: root.path('/var/lib/sbctl/keys/db/db.key'),
			cert: root.path('/var/lib/sbctl/keys/db/db.pem'),
		});
	});

	it('finds nothing when no source names a key', async () => {
		root = makeTempRoot();
		expect(await discover(root)).toBeUndefined();
	});

	it('a PKCS#11 key URI goes to sbsign through the pkcs11 engine, as it is', async () => {
		root = makeTempRoot();
		makeKeyPair(root.path('/etc/keys/unused.key'), root.path('/etc/keys/token.pem'));
		const uri = 'pkcs11:token=sb;object=db;type=private';
		expect(await discover(root, { securebootKey: uri, securebootCert: '/etc/keys/token.pem' })).toMatchObject({
			engine: 'pkcs11',
			key: uri,
		});
	});

	it('half a pair is an error naming the source, not a fall-through to the next one', async () => {
		root = makeTempRoot();
		withAllFour(root);
		root.write('/etc/portage/make.conf', 'SECUREBOOT_SIGN_KEY="/etc/portage/keys/sb.key"\n');
		const error = await discover(root).catch((e: unknown) => e);
		expect(isDistKernelError(error, 'secureboot.incomplete')).toBe(true);
		expect((error as Error).message).toContain('SECUREBOOT_SIGN_CERT');
	});

	it('a named file that is missing fails with secureboot.key-missing', async () => {
		root = makeTempRoot();
		const error = await discover(root, {
			securebootKey: '/etc/keys/none.key',
			securebootCert: '/etc/keys/none.crt',
		}).catch((e: unknown) => e);
		expect(isDistKernelError(error, 'secureboot.key-missing')).toBe(true);
	});

	it('a certificate given as a PKCS#11 URI is refused: sbsign and sbverify read it from a file', async () => {
		root = makeTempRoot();
		root.write(
			'/etc/portage/make.conf',
			'SECUREBOOT_SIGN_KEY="pkcs11:object=db"\nSECUREBOOT_SIGN_CERT="pkcs11:object=db;type=cert"\n',
		);
		const error = await discover(root).catch((e: unknown) => e);
		expect(isDistKernelError(error, 'secureboot.cert-not-file')).toBe(true);
	});
});
