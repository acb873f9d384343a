// A 512-byte BIOS boot sector that tells QEMU to exit with status 85 (isa-debug-exit: (0x2a << 1) | 1): proof
// that a virtual CPU really executes guest code with the chosen accelerator. Pure.

export const PROBE_EXIT_STATUS = 85;
export const DEBUG_EXIT_IOBASE = 0xf4;

export function probeBootSector(): Buffer {
	const sector = Buffer.alloc(512);
	// mov al, 0x2a; out 0xf4, al; hlt; jmp $-1 (in case the device is missing)
	Buffer.from([0xb0, 0x2a, 0xe6, DEBUG_EXIT_IOBASE, 0xf4, 0xeb, 0xfd]).copy(sector, 0);
	sector[510] = 0x55;
	sector[511] = 0xaa;
	return sector;
}
