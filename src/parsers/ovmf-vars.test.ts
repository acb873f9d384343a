// The variable store writer against the stores Debian 12's ovmf ships (read when present; the format facts the
// unit cases pin come from them).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isDistKernelError } from '../lib/errors';
import {
	addVariables,
	EFI_CERT_X509_GUID,
	enrollCertificate,
	guidBytes,
	guidText,
	liveVariables,
	parseVarStore,
	x509SignatureList,
} from './ovmf-vars';

const SETUP_MODE = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const SNAKEOIL = '/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd';

/** A minimal store: FV header (72 bytes) + store header + `free` bytes of erased space. */
function blankStore(free = 4096): Buffer {
	const fd = Buffer.alloc(72 + 28 + free, 0xff);
	fd.fill(0, 0, 72 + 28);
	guidBytes('fff12b8d-7696-4c8b-a985-2747075b4f50').copy(fd, 16);
	fd.write('_FVH', 40, 'latin1');
	fd.writeUInt16LE(72, 48);
	guidBytes('aaf32c78-947b-439a-a180-2e144ec37792').copy(fd, 72);
	fd.writeUInt32LE(28 + free, 72 + 16);
	fd[72 + 20] = 0x5a;
	fd[72 + 21] = 0xfe;
	return fd;
}

describe('OVMF variable store', () => {
	it('GUIDs: text and the mixed-endian bytes', () => {
		expect(guidBytes(EFI_CERT_X509_GUID).toString('hex')).toBe('a159c0a5e494a74a87b5ab155c2bf072');
		expect(guidText(guidBytes(EFI_CERT_X509_GUID))).toBe(EFI_CERT_X509_GUID);
	});

	it('writes records a parser reads back: name, GUID, attributes, data, 4-byte alignment', () => {
		const out = addVariables(blankStore(), [
			{ name: 'A', guid: EFI_CERT_X509_GUID, attributes: 7, data: Buffer.from([1, 2, 3]) },
			{ name: 'Bee', guid: EFI_CERT_X509_GUID, attributes: 3, data: Buffer.from('xy') },
		]);
		const store = parseVarStore(out);
		expect(store.variables.map((v) => [v.name, v.attributes, v.data.toString('hex'), v.offset % 4])).toEqual([
			['A', 7, '010203', 0],
			['Bee', 3, '7879', 0],
		]);
		// A second write of A deletes the first record.
		const again = addVariables(out, [{ name: 'A', guid: EFI_CERT_X509_GUID, attributes: 7, data: Buffer.from([9]) }]);
		expect(liveVariables(parseVarStore(again)).map((v) => `${v.name}=${v.data.toString('hex')}`)).toEqual([
			'Bee=7879',
			'A=09',
		]);
	});

	it('refuses what is not a store, and a store without room', () => {
		for (const bad of [
			Buffer.alloc(100),
			Buffer.from('not a firmware volume at all, just text, long enough to have a header field or two'),
		]) {
			expect(
				isDistKernelError(
					(() => {
						try {
							parseVarStore(bad);
						} catch (e) {
							return e;
						}
					})(),
					'ovmf-vars.invalid',
				),
			).toBe(true);
		}
		const tiny = blankStore(64);
		expect(() =>
			addVariables(tiny, [{ name: 'big', guid: EFI_CERT_X509_GUID, attributes: 3, data: Buffer.alloc(100) }]),
		).toThrow(/no room/);
	});

	it('an X.509 signature list has the layout the snakeoil store holds', () => {
		const list = x509SignatureList(Buffer.alloc(10, 7), '5f0d1b2c-3a4e-4f60-7182-93a4b5c6d7e8');
		expect(list.length).toBe(28 + 16 + 10);
		expect(list.readUInt32LE(16)).toBe(list.length);
		expect(list.readUInt32LE(20)).toBe(0);
		expect(list.readUInt32LE(24)).toBe(26);
	});

	it.runIf(existsSync(SETUP_MODE) && existsSync(SNAKEOIL))(
		"Debian's stores: enrolment adds PK, KEK, db and SecureBootEnable as the snakeoil store has them",
		() => {
			const snake = liveVariables(parseVarStore(readFileSync(SNAKEOIL)));
			const pk = snake.find((v) => v.name === 'PK')!;
			const enrolled = liveVariables(
				parseVarStore(
					enrollCertificate(
						readFileSync(SETUP_MODE),
						Buffer.alloc(700, 1),
						'5f0d1b2c-3a4e-4f60-7182-93a4b5c6d7e8',
						new Date('2024-01-02T03:04:05Z'),
					),
				),
			);
			expect(enrolled.map((v) => v.name)).toEqual(['db', 'KEK', 'PK', 'SecureBootEnable']);
			for (const name of ['db', 'KEK', 'PK', 'SecureBootEnable']) {
				const ours = enrolled.find((v) => v.name === name)!;
				const theirs = snake.find((v) => v.name === name)!;
				expect([ours.guid, ours.attributes], name).toEqual([theirs.guid, theirs.attributes]);
			}
			// Same signature list header as the snakeoil PK (type X.509, header size 0).
			expect(
				enrolled
					.find((v) => v.name === 'PK')!
					.data.subarray(0, 16)
					.equals(pk.data.subarray(0, 16)),
			).toBe(true);
			expect(enrolled.find((v) => v.name === 'PK')!.timestamp!.readUInt16LE(0)).toBe(2024);
		},
	);
});
