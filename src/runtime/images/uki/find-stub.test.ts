import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { normalizeCmdline, readKernelCmdline } from '../../boot/settings/kernel-cmdline';
import { findEfiStub, knownStubPaths } from './find-stub';

let root: TempRoot;
afterEach(() => root.cleanup());

describe('findEfiStub', () => {
	it('prefers the stub under the root, then dracut uefi_stub under the root', () => {
		root = makeTempRoot();
		const stub = root.write('/usr/lib/systemd/boot/efi/linuxx64.efi.stub', 'MZ');
		expect(findEfiStub(root, { arch: 'x64' })).toBe(stub);
		const custom = root.write('/opt/stub.efi', 'MZ');
		expect(findEfiStub(root, { configured: '/opt/stub.efi', arch: 'x64' })).toBe(custom);
	});

	it('names the package providing the stub when none exists', () => {
		root = makeTempRoot();
		// No riscv64 stub exists on this amd64 build host either.
		expect(() => findEfiStub(root, { arch: 'riscv64' })).toThrow(
			expect.objectContaining({ code: 'uki.stub-missing', hint: expect.stringContaining('sys-apps/systemd[boot]') }),
		);
		expect(() => findEfiStub(root, { arch: 'riscv64' })).toThrow(
			expect.objectContaining({ hint: expect.stringContaining('sys-apps/systemd-utils[boot]') }),
		);
		expect(knownStubPaths('arm64')[0]).toBe('/usr/lib/systemd/boot/efi/linuxaa64.efi.stub');
	});

	it('fails on a configured uefi_stub that does not exist', () => {
		root = makeTempRoot();
		expect(() => findEfiStub(root, { configured: '/nonexistent/stub.efi' })).toThrow(
			/uefi_stub\) not found: \/nonexistent\/stub.efi/,
		);
	});
});

describe('readKernelCmdline', () => {
	it('reads /etc/kernel/cmdline, then /usr/lib/kernel/cmdline, then dracut kernel_cmdline', () => {
		root = makeTempRoot();
		expect(readKernelCmdline(root, 'root=/dev/dracut')).toEqual({
			value: 'root=/dev/dracut',
			source: 'dracut kernel_cmdline',
		});
		root.write('/usr/lib/kernel/cmdline', 'root=/dev/vendor\n');
		expect(readKernelCmdline(root, 'root=/dev/dracut')?.value).toBe('root=/dev/vendor');
		root.write('/etc/kernel/cmdline', '# comment\nroot=UUID=abc  rw\nquiet\n');
		expect(readKernelCmdline(root)).toEqual({ value: 'root=UUID=abc rw quiet', source: '/etc/kernel/cmdline' });
		expect(normalizeCmdline('')).toBe('');
	});
});
