// OVMF's variable store file (OVMF_VARS*.fd): a firmware volume (EFI_FIRMWARE_VOLUME_HEADER, "_FVH") holding an
// authenticated variable store (VARIABLE_STORE_HEADER, format 0x5A, state 0xFE) of AUTHENTICATED_VARIABLE_HEADER
// records: StartId 0x55AA, State, Attributes, MonotonicCount, EFI_TIME, PubKeyIndex, NameSize, DataSize,
// VendorGuid, then the UTF-16 name and the data right after it (x64: no padding), each record starting on a
// 4-byte boundary; free space is 0xFF (edk2 MdeModulePkg/Include/Guid/VariableFormat.h, PI Vol. 3 §3.2.1).
// Written by the firmware itself only through SetVariable; we write a fresh store before the first boot, as a
// firmware update tool does. Pure: bytes in, bytes out.
import { DistKernelError } from '../lib/errors';

export const EFI_GLOBAL_VARIABLE_GUID = '8be4df61-93ca-11d2-aa0d-00e098032b8c';
export const EFI_IMAGE_SECURITY_DATABASE_GUID = 'd719b2cb-3d3a-4596-a3bc-dad00e67656f';
export const EFI_SECURE_BOOT_ENABLE_DISABLE_GUID = 'f0a30bc7-af08-4556-99c4-001009c93a44';
export const EFI_CERT_X509_GUID = 'a5c059a1-94e4-4aa7-87b5-ab155c2bf072';
const SYSTEM_NV_DATA_FV_GUID = 'fff12b8d-7696-4c8b-a985-2747075b4f50';
const AUTHENTICATED_VARIABLE_GUID = 'aaf32c78-947b-439a-a180-2e144ec37792';

/** UEFI variable attributes. */
export const EFI_VARIABLE_NON_VOLATILE = 0x1;
export const EFI_VARIABLE_BOOTSERVICE_ACCESS = 0x2;
export const EFI_VARIABLE_RUNTIME_ACCESS = 0x4;
export const EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS = 0x20;

const START_ID = 0x55aa;
const VAR_ADDED = 0x3f;
/** State bits are cleared, never set: ANDing this in marks a record deleted. */
const VAR_DELETED_MASK = 0xfd;
const HEADER_SIZE = 60;
const STORE_HEADER_SIZE = 28;

export interface StoreVariable {
	name: string;
	guid: string;
	attributes: number;
	data: Buffer;
	/** EFI_TIME of a time-based authenticated variable (16 bytes; zero otherwise). */
	timestamp?: Buffer | undefined;
}

export interface ParsedVarStore {
	/** Offset of the first variable record. */
	start: number;
	/** Offset just past the last record: where the next one goes. */
	free: number;
	/** End of the variable store (its header's Size). */
	end: number;
	variables: Array<StoreVariable & { offset: number; state: number }>;
}

function invalid(message: string): DistKernelError {
	return new DistKernelError('ovmf-vars.invalid', `not an OVMF variable store: ${message}`);
}

/** GUID text ↔ its 16 bytes (first three fields little endian). */
export function guidBytes(guid: string): Buffer {
	const hex = guid.replace(/-/g, '');
	if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new DistKernelError('ovmf-vars.guid', `Expected a GUID, got \`${guid}\``);
	const b = Buffer.from(hex, 'hex');
	return Buffer.concat([
		Buffer.from(b.subarray(0, 4)).reverse(),
		Buffer.from(b.subarray(4, 6)).reverse(),
		Buffer.from(b.subarray(6, 8)).reverse(),
		b.subarray(8),
	]);
}

export function guidText(bytes: Buffer): string {
	const le = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).reverse().toString('hex');
	const be = (from: number, to: number) => bytes.subarray(from, to).toString('hex');
	return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${be(8, 10)}-${be(10, 16)}`;
}

const align4 = (n: number) => (n + 3) & ~3;

export function parseVarStore(fd: Buffer): ParsedVarStore {
	if (fd.length < 64 || fd.toString('latin1', 40, 44) !== '_FVH') throw invalid('no firmware volume header (_FVH)');
	if (guidText(fd.subarray(16, 32)) !== SYSTEM_NV_DATA_FV_GUID)
		throw invalid('the firmware volume is not an NV data volume');
	const headerLength = fd.readUInt16LE(48);
	const store = headerLength;
	if (store + STORE_HEADER_SIZE > fd.length) throw invalid('truncated variable store header');
	if (guidText(fd.subarray(store, store + 16)) !== AUTHENTICATED_VARIABLE_GUID)
		throw invalid('the variable store is not an authenticated one');
	const size = fd.readUInt32LE(store + 16);
	if (fd[store + 20] !== 0x5a || fd[store + 21] !== 0xfe)
		throw invalid('the variable store is not formatted and healthy');
	const end = store + size;
	if (end > fd.length || size < STORE_HEADER_SIZE) throw invalid(`variable store size ${size} does not fit the file`);
	const start = align4(store + STORE_HEADER_SIZE);
	const variables: ParsedVarStore['variables'] = [];
	let offset = start;
	while (offset + HEADER_SIZE <= end && fd.readUInt16LE(offset) === START_ID) {
		const nameSize = fd.readUInt32LE(offset + 36);
		const dataSize = fd.readUInt32LE(offset + 40);
		const nameStart = offset + HEADER_SIZE;
		const dataStart = nameStart + nameSize;
		if (nameSize % 2 !== 0 || dataStart + dataSize > end)
			throw invalid(`variable record at 0x${offset.toString(16)} runs past the store`);
		variables.push({
			offset,
			state: fd[offset + 2]!,
			attributes: fd.readUInt32LE(offset + 4),
			timestamp: Buffer.from(fd.subarray(offset + 16, offset + 32)),
			guid: guidText(fd.subarray(offset + 44, offset + 60)),
			name: fd.toString('utf16le', nameStart, dataStart).replace(/\0+$/, ''),
			data: Buffer.from(fd.subarray(dataStart, dataStart + dataSize)),
		});
		offset = align4(dataStart + dataSize);
	}
	return { start, free: offset, end, variables };
}

/** The live variables (state VAR_ADDED), later records replacing earlier ones of the same name and GUID. */
export function liveVariables(store: ParsedVarStore): StoreVariable[] {
	return store.variables
		.filter((v) => v.state === VAR_ADDED)
		.map(({ name, guid, attributes, data, timestamp }) => ({ name, guid, attributes, data, timestamp }));
}

function record(variable: StoreVariable): Buffer {
	const name = Buffer.from(`${variable.name}\0`, 'utf16le');
	const header = Buffer.alloc(HEADER_SIZE);
	header.writeUInt16LE(START_ID, 0);
	header[2] = VAR_ADDED;
	header.writeUInt32LE(variable.attributes, 4);
	(variable.timestamp ?? Buffer.alloc(16)).copy(header, 16, 0, 16);
	header.writeUInt32LE(name.length, 36);
	header.writeUInt32LE(variable.data.length, 40);
	guidBytes(variable.guid).copy(header, 44);
	return Buffer.concat([header, name, variable.data]);
}

/** A copy of `fd` with `variables` added; an earlier live record of the same name and GUID is marked deleted. */
export function addVariables(fd: Buffer, variables: readonly StoreVariable[]): Buffer {
	const store = parseVarStore(fd);
	const out = Buffer.from(fd);
	let offset = store.free;
	for (const variable of variables) {
		for (const old of store.variables) {
			if (old.state === VAR_ADDED && old.name === variable.name && old.guid === variable.guid)
				out[old.offset + 2] = old.state & VAR_DELETED_MASK;
		}
		const bytes = record(variable);
		if (offset + bytes.length > store.end)
			throw new DistKernelError('ovmf-vars.full', `the variable store has no room for ${variable.name}`);
		if (out.subarray(offset, offset + bytes.length).some((b) => b !== 0xff))
			throw invalid(`the free space at 0x${offset.toString(16)} is not erased`);
		bytes.copy(out, offset);
		offset = align4(offset + bytes.length);
	}
	return out;
}

/** An EFI_SIGNATURE_LIST holding one X.509 certificate (DER) owned by `owner`. */
export function x509SignatureList(der: Buffer, owner: string): Buffer {
	const signatureSize = 16 + der.length;
	const header = Buffer.alloc(28);
	guidBytes(EFI_CERT_X509_GUID).copy(header, 0);
	header.writeUInt32LE(28 + signatureSize, 16);
	header.writeUInt32LE(0, 20);
	header.writeUInt32LE(signatureSize, 24);
	return Buffer.concat([header, guidBytes(owner), der]);
}

/** EFI_TIME for the authenticated variables' timestamp: year, month, day, hour, minute, second (UTC). */
export function efiTime(date: Date): Buffer {
	const t = Buffer.alloc(16);
	t.writeUInt16LE(date.getUTCFullYear(), 0);
	t[2] = date.getUTCMonth() + 1;
	t[3] = date.getUTCDate();
	t[4] = date.getUTCHours();
	t[5] = date.getUTCMinutes();
	t[6] = date.getUTCSeconds();
	return t;
}

/**
 * `fd` (a store in setup mode) with `der` enrolled as PK, KEK and db and Secure Boot switched on: the firmware
 * then starts only images signed by that certificate's key.
 */
export function enrollCertificate(fd: Buffer, der: Buffer, owner: string, when: Date): Buffer {
	const list = x509SignatureList(der, owner);
	const authenticated =
		EFI_VARIABLE_NON_VOLATILE |
		EFI_VARIABLE_BOOTSERVICE_ACCESS |
		EFI_VARIABLE_RUNTIME_ACCESS |
		EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS;
	const timestamp = efiTime(when);
	return addVariables(fd, [
		{ name: 'db', guid: EFI_IMAGE_SECURITY_DATABASE_GUID, attributes: authenticated, data: list, timestamp },
		{ name: 'KEK', guid: EFI_GLOBAL_VARIABLE_GUID, attributes: authenticated, data: list, timestamp },
		{ name: 'PK', guid: EFI_GLOBAL_VARIABLE_GUID, attributes: authenticated, data: list, timestamp },
		{
			name: 'SecureBootEnable',
			guid: EFI_SECURE_BOOT_ENABLE_DISABLE_GUID,
			attributes: EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS,
			data: Buffer.from([1]),
		},
	]);
}
