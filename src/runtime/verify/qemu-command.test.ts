import { describe, expect, it } from 'vitest';
import { probeBootSector } from './probe-sector';
import { qemuArgs } from './qemu-command';

describe('QEMU command', () => {
	it('kernel boot: our command line, the test root as the first virtio disk and the result disk second, commas doubled', () => {
		const args = qemuArgs({ accel: 'tcg', memoryMiB: 1024, rootDisk: '/w/a,b/root.img', resultDisk: '/w/result.img', consoleLog: '/w/console.log', kernel: { image: '/boot/vmlinuz', initrd: '/boot/initrd', append: 'root=UUID=x panic=-1' } });
		expect(args.join(' ')).toContain('-accel tcg -cpu max');
		expect(args).toEqual(expect.arrayContaining(['-no-reboot', '-nodefaults', '-kernel', '/boot/vmlinuz', '-initrd', '/boot/initrd', '-append', 'root=UUID=x panic=-1']));
		const drives = args.filter((_, i) => args[i - 1] === '-drive');
		expect(drives).toEqual(['file=/w/a,,b/root.img,format=raw,if=virtio', 'file=/w/result.img,format=raw,if=virtio']);
	});

	it('UKI boot: OVMF pflash, no -kernel, the ESP as a read-only FAT disk after the two others; KVM uses the host CPU', () => {
		const args = qemuArgs({ accel: 'kvm', memoryMiB: 512, rootDisk: '/r', resultDisk: '/o', consoleLog: '/c', uki: { espDir: '/esp', code: '/code.fd', vars: '/vars.fd', extraCmdline: 'console=ttyS0,115200 panic=-1' } });
		expect(args).toContain('type=11,value=io.systemd.stub.kernel-cmdline-extra=console=ttyS0,,115200 panic=-1');
		expect(args).not.toContain('-kernel');
		expect(args.join(' ')).toContain('-accel kvm -cpu host');
		const drives = args.filter((_, i) => args[i - 1] === '-drive');
		expect(drives).toEqual(['if=pflash,format=raw,unit=0,readonly=on,file=/code.fd', 'if=pflash,format=raw,unit=1,file=/vars.fd', 'file=/r,format=raw,if=virtio', 'file=/o,format=raw,if=virtio', 'file=fat:/esp,format=raw,if=virtio,readonly=on']);
	});

	it('the KVM probe is a valid boot sector', () => {
		const sector = probeBootSector();
		expect(sector.length).toBe(512);
		expect([sector[510], sector[511]]).toEqual([0x55, 0xaa]);
	});
});
