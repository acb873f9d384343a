// Temp roots for boot verification tests: the real Debian kernel with a dracut configuration that makes a small
// initramfs quickly (only the modules a virtio ext4 root needs), so each TCG boot stays short.
import { execFileSync } from 'node:child_process';
import { useCachingDracut } from '../helpers/dracut-cache';
import { FAST_COMPRESS, type KernelRoot, kernelRoot } from '../runtime/kernel-root';

/** dracut `drivers=` is exclusive: exactly these kernel modules (and their dependencies) go in. */
export function verifyDracutConf(drivers = 'virtio_blk virtio_pci ext4'): string {
	return [
		'# Test configuration: a tiny initramfs for a virtio ext4 root.',
		'hostonly="no"',
		'dracutmodules=" base rootfs-block kernel-modules "',
		`drivers=" ${drivers} "`,
		'early_microcode="no"',
		// no fsck tools (e2fsck, xfs_repair, btrfs and their libraries: 2 of 13 MB): the guest mounts a fresh disk
		'nofscks="yes"',
		FAST_COMPRESS,
		'',
	].join('\n');
}

export async function verifyRoot(drivers?: string): Promise<KernelRoot> {
	useCachingDracut();
	const root = await kernelRoot('dk-verify-');
	root.write('/etc/dracut.conf.d/10-test.conf', verifyDracutConf(drivers));
	root.write('/var/tmp/.keep', '');
	return root;
}

/**
 * A machine whose KVM runs real-mode code but not Linux (nested virtualisation): a `qemu-system-x86_64` first on
 * PATH that, given `-accel kvm` with a kernel or UEFI firmware to boot, prints nothing for ever; anything else it
 * hands to the real QEMU (a real-mode guest under KVM runs there, under TCG). Returns the PATH to use.
 */
export function silentKvmPath(r: KernelRoot): string {
	const real = execFileSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).trim();
	r.write(
		'/stand-in/qemu-system-x86_64',
		[
			'#!/bin/bash',
			'args=("$@") kvm=no linux=no',
			'for a in "$@"; do',
			'	case ${a} in kvm) kvm=yes ;; -kernel | if=pflash*) linux=yes ;; esac',
			'done',
			'[[ ${kvm} == yes && ${linux} == yes ]] && exec sleep 1000000',
			'for i in "${!args[@]}"; do',
			'	case ${args[i]} in kvm) args[i]=tcg ;; host) args[i]=max ;; esac',
			'done',
			`exec ${real} "\${args[@]}"`,
			'',
		].join('\n'),
		0o755,
	);
	return `${r.path('/stand-in')}:${process.env['PATH'] ?? ''}`;
}
