// Temp roots for boot verification tests: the real Debian kernel with a dracut configuration that makes a small
// initramfs quickly (only the modules a virtio ext4 root needs), so each TCG boot stays short.
import { kernelRoot, type KernelRoot } from '../runtime/kernel-root';

/** dracut `drivers=` is exclusive: exactly these kernel modules (and their dependencies) go in. */
export function verifyDracutConf(drivers = 'virtio_blk virtio_pci ext4'): string {
	return [
		'# Test configuration: a tiny initramfs for a virtio ext4 root.',
		'hostonly="no"',
		'dracutmodules=" base rootfs-block kernel-modules "',
		`drivers=" ${drivers} "`,
		'early_microcode="no"',
		'compress="gzip"',
		'',
	].join('\n');
}

export async function verifyRoot(drivers?: string): Promise<KernelRoot> {
	const root = await kernelRoot('dk-verify-');
	root.write('/etc/dracut.conf.d/10-test.conf', verifyDracutConf(drivers));
	root.write('/var/tmp/.keep', '');
	return root;
}
