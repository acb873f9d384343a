import { describe, expect, it } from 'vitest';
import { qemuArgs } from './qemu-command';

describe('QEMU command', () => {
	it('kernel boot: our command line, the test root as the first virtio disk and the result disk second, commas doubled', () => {
		const args = qemuArgs({
			accel: 'tcg',
			memoryMiB: 1024,
			rootDisk: '/w/a,b/root.img',
			resultDisk: '/w/result.img',
			consoleLog: '/w/console.log',
			kernel: { image: '/boot/vmlinuz', initrd: '/boot/initrd', append: 'root=UUID=x panic=-1' },
		});
		expect(args.join(' ')).toContain('-accel tcg -cpu max');
		expect(args).toEqual(
			expect.arrayContaining([
				'-no-reboot',
				'-nodefaults',
				'-kernel',
				'/boot/vmlinuz',
				'-initrd',
				'/boot/initrd',
				'-append',
				'root=UUID=x panic=-1',
			]),
		);
		const drives = args.filter((_, i) => args[i - 1] === '-drive');
		expect(drives).toEqual(['file=/w/a,,b/root.img,format=raw,if=virtio', 'file=/w/result.img,format=raw,if=virtio']);
	});

	it('UKI boot: OVMF pflash, no -kernel, the ESP as a read-only FAT disk after the two others; KVM uses the host CPU', () => {
		const args = qemuArgs({
			accel: 'kvm',
			memoryMiB: 512,
			rootDisk: '/r',
			resultDisk: '/o',
			consoleLog: '/c',
			uki: { espDir: '/esp', code: '/code.fd', vars: '/vars.fd', extraCmdline: 'console=ttyS0,115200 panic=-1' },
		});
		expect(args).toContain('type=11,value=io.systemd.stub.kernel-cmdline-extra=console=ttyS0,,115200 panic=-1');
		expect(args).not.toContain('-kernel');
		expect(args.join(' ')).toContain('-accel kvm -cpu host');
		const drives = args.filter((_, i) => args[i - 1] === '-drive');
		expect(drives).toEqual([
			'if=pflash,format=raw,unit=0,readonly=on,file=/code.fd',
			'if=pflash,format=raw,unit=1,file=/vars.fd',
			'file=/r,format=raw,if=virtio',
			'file=/o,format=raw,if=virtio',
			'file=fat:/esp,format=raw,if=virtio,readonly=on',
		]);
	});

	it('UKI boot under Secure Boot: SMM, secure pflash, the console on stdout and in the log file', () => {
		const args = qemuArgs({
			accel: 'tcg',
			memoryMiB: 512,
			rootDisk: '/r',
			resultDisk: '/o',
			consoleLog: '/w,x/console.log',
			uki: { espDir: '/esp', code: '/secboot.fd', vars: '/vars.fd', extraCmdline: '', secureBoot: true },
		});
		expect(args.join(' ')).toContain('-machine q35,smm=on');
		expect(args.join(' ')).toContain('-global driver=cfi.pflash01,property=secure,value=on');
		expect(args.join(' ')).toContain(
			'-chardev stdio,id=console,signal=off,logfile=/w,,x/console.log -serial chardev:console',
		);
		expect(args.filter((a) => a.startsWith('file:'))).toEqual([]);
	});

	it('the serial console goes to stdout (watched) and to the log file; the KVM probe boots a kernel alone', () => {
		const args = qemuArgs({
			accel: 'kvm',
			memoryMiB: 1024,
			consoleLog: '/w/a,b.log',
			kernel: { image: '/k', append: 'console=ttyS0,115200 panic=-1' },
		});
		expect(args).toEqual(
			expect.arrayContaining([
				'-chardev',
				'stdio,id=console,signal=off,logfile=/w/a,,b.log',
				'-serial',
				'chardev:console',
			]),
		);
		expect(args).not.toContain('-drive');
	});
});
