// One UEFI variable as efivarfs shows it (/sys/firmware/efi/efivars/Name-GUID): 4 bytes of attributes (little
// endian), then the data. SecureBoot and SetupMode hold one byte, 1 = on (UEFI 2.10 §3.3 "Globally Defined
// Variables"). Pure: bytes in, value out.

export interface EfiVariable {
	attributes: number;
	data: Buffer;
}

export function parseEfiVariable(bytes: Buffer): EfiVariable | undefined {
	if (bytes.length < 4) return undefined;
	return { attributes: bytes.readUInt32LE(0), data: bytes.subarray(4) };
}

/** A one-byte boolean variable: true for 1, false for 0, undefined for anything else (truncated, wrong size). */
export function efiBoolean(bytes: Buffer): boolean | undefined {
	const variable = parseEfiVariable(bytes);
	if (variable?.data.length !== 1) return undefined;
	const value = variable.data[0];
	return value === 1 ? true : value === 0 ? false : undefined;
}

/** The EFI global variable vendor GUID (EFI_GLOBAL_VARIABLE) of SecureBoot, SetupMode, PK, KEK. */
export const EFI_GLOBAL_VARIABLE = '8be4df61-93ca-11d2-aa0d-00e098032b8c';
