// The one Secure Boot signing key, found in a fixed order (first source that names a key wins; README "Secure
// Boot"): our configuration (secureboot-key/-cert), Gentoo's SECUREBOOT_SIGN_KEY/_CERT in make.conf
// (secureboot.eclass), dracut's uefi_secureboot_key/_cert, sbctl's key store. Everything is read under the root.
// A source naming only half a pair is an error, not a fall-through: the admin meant that source.
import { existsSync } from 'node:fs';
import { DistKernelError } from '../../../lib/errors';
import { makeConfValue } from '../../../parsers/make-conf-var';
import type { KeySource, SigningKey } from '../../boot/files/types';
import { makeConfTexts } from '../../config-files/make-conf';
import { assertTrusted } from '../../config-files/trust';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import type { DracutConfig } from '../dracut/config';

export type { KeySource };

/** The order sources are tried in. */
export const KEY_SOURCES: readonly KeySource[] = ['config', 'make.conf', 'dracut', 'sbctl'];

export const SBCTL_DB_KEY = '/var/lib/sbctl/keys/db/db.key';
export const SBCTL_DB_CERT = '/var/lib/sbctl/keys/db/db.pem';

export type { SigningKey };

interface Named {
	source: KeySource;
	origin: string;
	keyName: string;
	certName: string;
	key: string | undefined;
	cert: string | undefined;
	engine?: string | undefined;
}

function fromConfig(ctx: Pick<RuntimeContext, 'config'>): Named {
	return {
		source: 'config',
		origin: '/etc/dist-kernel/dist-kernel.conf',
		keyName: 'secureboot-key',
		certName: 'secureboot-cert',
		key: ctx.config.securebootKey || undefined,
		cert: ctx.config.securebootCert || undefined,
	};
}

function fromMakeConf(ctx: Pick<RuntimeContext, 'root'>): Named {
	const texts = makeConfTexts(ctx.root);
	return {
		source: 'make.conf',
		origin: '/etc/portage/make.conf',
		keyName: 'SECUREBOOT_SIGN_KEY',
		certName: 'SECUREBOOT_SIGN_CERT',
		key: makeConfValue(texts, 'SECUREBOOT_SIGN_KEY') || undefined,
		cert: makeConfValue(texts, 'SECUREBOOT_SIGN_CERT') || undefined,
	};
}

function fromDracut(dracut: Pick<DracutConfig, 'secureBootCert' | 'secureBootKey' | 'secureBootEngine'>): Named {
	return {
		source: 'dracut',
		origin: '/etc/dracut.conf',
		keyName: 'uefi_secureboot_key',
		certName: 'uefi_secureboot_cert',
		key: dracut.secureBootKey,
		cert: dracut.secureBootCert,
		engine: dracut.secureBootEngine,
	};
}

function fromSbctl(ctx: Pick<RuntimeContext, 'root'>): Named {
	const has = (path: string) => existsSync(systemPath(ctx, path));
	return {
		source: 'sbctl',
		origin: '/var/lib/sbctl/keys/db',
		keyName: 'db.key',
		certName: 'db.pem',
		key: has(SBCTL_DB_KEY) ? SBCTL_DB_KEY : undefined,
		cert: has(SBCTL_DB_CERT) ? SBCTL_DB_CERT : undefined,
	};
}

function resolve(ctx: Pick<RuntimeContext, 'root'>, named: Named): SigningKey {
	const { key, cert } = named;
	if (!key || !cert) {
		throw new DistKernelError(
			'secureboot.incomplete',
			`Secure Boot key configuration incomplete in ${named.origin}: ${named.keyName} and ${named.certName} must both be set`,
			{
				exitCode: 2,
				hint: `set both ${named.keyName} and ${named.certName}, or neither`,
			},
		);
	}
	if (cert.startsWith('pkcs11:') || !cert.startsWith('/')) {
		throw new DistKernelError(
			'secureboot.cert-not-file',
			`Expected ${named.certName} in ${named.origin} to be a certificate file, got \`${cert}\``,
			{
				exitCode: 2,
				hint: 'sbsign and sbverify read the certificate from a PEM file: export it (e.g. p11tool --export) and name the file',
			},
		);
	}
	// sbsign takes a PKCS#11 key through its OpenSSL engine (secureboot.eclass does the same).
	const engine = named.engine ?? (key.startsWith('pkcs11:') ? 'pkcs11' : undefined);
	if (!engine && !key.startsWith('/')) {
		throw new DistKernelError(
			'secureboot.key-invalid',
			`Expected ${named.keyName} in ${named.origin} to be an absolute path or a pkcs11: URI, got \`${key}\``,
			{ exitCode: 2 },
		);
	}
	const certPath = systemPath(ctx, cert);
	const keyPath = engine ? key : systemPath(ctx, key);
	for (const [path, shown] of [[certPath, cert], ...(engine ? [] : [[keyPath, key]])] as Array<[string, string]>) {
		if (!existsSync(path)) {
			throw new DistKernelError(
				'secureboot.key-missing',
				`Secure Boot signing file not found: ${shown} (${named.certName === 'db.pem' ? 'sbctl' : named.origin})`,
				{ exitCode: 2 },
			);
		}
		assertTrusted(path, shown);
	}
	return {
		source: named.source,
		origin: named.origin,
		cert: certPath,
		key: keyPath,
		engine,
		shownCert: cert,
		shownKey: key,
	};
}

/**
 * The signing key, or undefined when no source names one. `dracut` is the admin's dracut configuration (already
 * read by the caller, so bash sources it once per run).
 */
export function discoverSigningKey(
	ctx: Pick<RuntimeContext, 'root' | 'config'>,
	dracut: Pick<DracutConfig, 'secureBootCert' | 'secureBootKey' | 'secureBootEngine'>,
): SigningKey | undefined {
	for (const named of [fromConfig(ctx), fromMakeConf(ctx), fromDracut(dracut), fromSbctl(ctx)]) {
		if (named.key || named.cert) return resolve(ctx, named);
	}
	return undefined;
}

export function describeKey(key: SigningKey): string {
	const how = key.engine ? ` (OpenSSL engine ${key.engine})` : '';
	return `${key.shownKey}${how} with certificate ${key.shownCert}, from ${key.source === 'sbctl' ? "sbctl's key store" : `${key.origin}`}`;
}
