import { describe, expect, it } from 'vitest';
import { findFirmwareRefusal, firmwareGaveUp } from './ovmf-console';

// As Debian 12's OVMF_CODE_4M.secboot.fd printed it for an unsigned image with our certificate enrolled.
const REFUSED = [
	'\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0)\r',
	'BdsDxe: failed to load Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0): Access Denied\r',
	'BdsDxe: loading Boot0002 "EFI Internal Shell" from Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)\r',
	'BdsDxe: failed to start Boot0002 "EFI Internal Shell" from Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1): Security Violation\r',
	'BdsDxe: No bootable option or device was found.\r',
	'BdsDxe: Press any key to enter the Boot Manager Menu.\r',
].join('\n');

describe('OVMF console', () => {
	it('finds the refused disk boot option, not the built-in shell', () => {
		expect(findFirmwareRefusal(REFUSED)).toEqual({
			option: 'Boot0001 "UEFI Misc Device"',
			device: 'PciRoot(0x0)/Pci(0x1,0x0)',
			status: 'Access Denied',
			line: 'BdsDxe: failed to load Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0): Access Denied',
		});
		expect(firmwareGaveUp(REFUSED)).toBe(true);
	});

	it('an accepted image, a missing one or only the shell refused: no refusal', () => {
		expect(
			findFirmwareRefusal(
				'BdsDxe: loading Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0)\r\nBdsDxe: starting Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0)\r\n',
			),
		).toBeUndefined();
		expect(
			findFirmwareRefusal(
				'BdsDxe: failed to load Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0): Not Found\n',
			),
		).toBeUndefined();
		expect(
			findFirmwareRefusal(
				REFUSED.split('\n')
					.filter((l) => !l.includes('Boot0001'))
					.join('\n'),
			),
		).toBeUndefined();
	});
});
