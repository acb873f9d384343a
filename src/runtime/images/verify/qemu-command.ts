// QEMU's argv for one verification boot. Pure. Disk order is fixed: the test root is the first virtio disk
// (/dev/vda, what root=/dev/vda means), the raw result disk the second (/dev/vdb, where the guest init writes),
// the read-only ESP for a UKI the third.

/** QEMU's accelerator: KVM when a kernel boots under it, else TCG emulation (accel.ts chooses). */
export type Accel = 'kvm' | 'tcg';

export interface QemuPlan {
	accel: Accel;
	memoryMiB: number;
	/** Absent for the accelerator probe: a kernel alone, printing its banner. */
	rootDisk?: string;
	resultDisk?: string;
	/** The serial console goes to QEMU's stdout (watched as it arrives) and to this file. */
	consoleLog: string;
	/** Kernel + initramfs booted by QEMU's own loader, with our command line. */
	kernel?: { image: string; initrd?: string | undefined; append: string };
	/** UKI booted by OVMF from an ESP (a directory QEMU presents as a FAT disk) at \EFI\BOOT\BOOTX64.EFI. */
	uki?: { espDir: string; code: string; vars: string; extraCmdline: string; secureBoot?: boolean | undefined };
}

/** QEMU option values are comma-separated; a literal comma is doubled. */
export function escapeDriveValue(value: string): string {
	return value.replace(/,/g, ',,');
}

export function qemuArgs(plan: QemuPlan): string[] {
	const args = [
		'-accel',
		plan.accel,
		'-cpu',
		plan.accel === 'kvm' ? 'host' : 'max',
		// OVMF's Secure Boot build keeps its variables in SMM-protected flash, as QEMU requires it set up.
		'-machine',
		plan.uki?.secureBoot ? 'q35,smm=on' : 'q35',
		'-m',
		String(plan.memoryMiB),
		'-smp',
		'1',
		'-nodefaults',
		'-no-user-config',
		'-display',
		'none',
		// A panic reboots (panic=-1); -no-reboot turns that into QEMU's exit, so a failed boot ends at once.
		'-no-reboot',
		'-chardev',
		`stdio,id=console,signal=off,logfile=${escapeDriveValue(plan.consoleLog)}`,
		'-serial',
		'chardev:console',
	];
	if (plan.uki?.secureBoot) args.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
	if (plan.uki) {
		args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${escapeDriveValue(plan.uki.code)}`);
		args.push('-drive', `if=pflash,format=raw,unit=1,file=${escapeDriveValue(plan.uki.vars)}`);
		// systemd-stub ≥ 254 appends this to the embedded command line when Secure Boot is off; older stubs ignore it.
		args.push(
			'-smbios',
			`type=11,value=io.systemd.stub.kernel-cmdline-extra=${escapeDriveValue(plan.uki.extraCmdline)}`,
		);
	} else if (plan.kernel) {
		args.push('-kernel', plan.kernel.image, '-append', plan.kernel.append);
		if (plan.kernel.initrd) args.push('-initrd', plan.kernel.initrd);
	}
	if (plan.rootDisk) args.push('-drive', `file=${escapeDriveValue(plan.rootDisk)},format=raw,if=virtio`);
	if (plan.resultDisk) args.push('-drive', `file=${escapeDriveValue(plan.resultDisk)},format=raw,if=virtio`);
	if (plan.uki) args.push('-drive', `file=fat:${escapeDriveValue(plan.uki.espDir)},format=raw,if=virtio,readonly=on`);
	return args;
}
