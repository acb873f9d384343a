// What OVMF's boot manager prints on the console about boot options (MdeModulePkg UefiBootManagerLib, BmBoot.c):
// `BdsDxe: failed to load Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0): Access Denied`. Under Secure
// Boot, an image whose signature db does not accept fails to load with Access Denied (or, when started,
// Security Violation). Built-in firmware applications (device path `Fv(…)`, the UEFI shell) are not ours.
// Pure: console text in, finding out.

export interface FirmwareRefusal {
	option: string;
	device: string;
	status: string;
	/** The console line, as printed. */
	line: string;
}

const FAILED_RE =
	/BdsDxe: failed to (?:load|start) (Boot[0-9A-Fa-f]{4}) "([^"]*)" from (\S+): (Access Denied|Security Violation)/;

/** The first boot option outside the firmware volume that the firmware refused for its signature. */
export function findFirmwareRefusal(consoleText: string): FirmwareRefusal | undefined {
	for (const raw of consoleText.split(/\r?\n/)) {
		const match = FAILED_RE.exec(raw);
		if (!match || match[3]!.startsWith('Fv(')) continue;
		return { option: `${match[1]} "${match[2]}"`, device: match[3]!, status: match[4]!, line: match[0] };
	}
	return undefined;
}

/** The boot manager gave up on every option and now waits for a key forever. */
export function firmwareGaveUp(consoleText: string): boolean {
	return consoleText.includes('BdsDxe: No bootable option or device was found.');
}
