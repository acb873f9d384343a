// Secure Boot test keys made per test with openssl (a self-signed db certificate and its RSA key).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function makeKeyPair(keyPath: string, certPath: string, cn = 'dist-kernel test db'): void {
	mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
	mkdirSync(dirname(certPath), { recursive: true, mode: 0o700 });
	execFileSync(
		'openssl',
		[
			'req',
			'-new',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'1',
			'-subj',
			`/CN=${cn}/`,
			'-keyout',
			keyPath,
			'-out',
			certPath,
		],
		{ stdio: 'ignore' },
	);
	chmodSync(keyPath, 0o600);
}

/** An efivarfs file: 4 attribute bytes (NV+BS+RT) and one data byte. */
export function efiBooleanFile(value: boolean): Buffer {
	return Buffer.from([0x06, 0, 0, 0, value ? 1 : 0]);
}
