import { describe, expect, it } from 'vitest';
import { efiBoolean, parseEfiVariable } from './efi-variable';

const attrs = Buffer.from([0x06, 0x00, 0x00, 0x00]);

describe('efiBoolean', () => {
	it('reads the byte after the 4 attribute bytes', () => {
		expect(efiBoolean(Buffer.concat([attrs, Buffer.from([1])]))).toBe(true);
		expect(efiBoolean(Buffer.concat([attrs, Buffer.from([0])]))).toBe(false);
	});
	it('is undefined for a truncated, oversized or odd value', () => {
		expect(efiBoolean(Buffer.from([6, 0, 0]))).toBeUndefined();
		expect(efiBoolean(attrs)).toBeUndefined();
		expect(efiBoolean(Buffer.concat([attrs, Buffer.from([1, 0])]))).toBeUndefined();
		expect(efiBoolean(Buffer.concat([attrs, Buffer.from([2])]))).toBeUndefined();
	});
	it('keeps the attributes', () => {
		expect(parseEfiVariable(Buffer.concat([attrs, Buffer.from([1])]))?.attributes).toBe(6);
	});
});
