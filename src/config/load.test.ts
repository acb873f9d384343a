import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../test/helpers/temp-root';
import { type DistKernelError, isDistKernelError } from '../lib/errors';
import { configFromText, defaultConfig, loadConfig, renderDefaultConfig } from './load';

function thrown(fn: () => unknown): DistKernelError {
	try {
		fn();
	} catch (error) {
		if (isDistKernelError(error)) return error;
		throw error;
	}
	throw new Error('expected a DistKernelError');
}

describe('configuration', () => {
	let root: TempRoot;
	beforeEach(() => {
		root = makeTempRoot();
	});
	afterEach(() => root.cleanup());

	it('has defaults when no file exists', () => {
		const config = loadConfig(root.root);
		expect(config.kernelPackages).toEqual([
			'sys-kernel/gentoo-kernel',
			'sys-kernel/gentoo-kernel-bin',
			'sys-kernel/vanilla-kernel',
		]);
		expect(config.overlayDir).toBe('/var/db/repos/dist-kernel');
		expect(config.keepKernels).toBe(2);
	});

	it('reads kebab-case keys, lists and booleans; flags override the file', () => {
		root.write(
			'/etc/dist-kernel/dist-kernel.conf',
			'# mine\nkernel-packages = sys-kernel/gentoo-kernel\ncoalesce-initramfs = no\nkeep-kernels = "3"\n',
		);
		const config = loadConfig(root.root, { keepKernels: 5 });
		expect(config.kernelPackages).toEqual(['sys-kernel/gentoo-kernel']);
		expect(config.coalesceInitramfs).toBe(false);
		expect(config.keepKernels).toBe(5);
	});

	it('names an unknown key and exits 2', () => {
		root.write('/etc/dist-kernel/dist-kernel.conf', 'kernel-pakages = x\n');
		const error = thrown(() => loadConfig(root.root));
		expect(error.code).toBe('config.invalid');
		expect(error.exitCode).toBe(2);
		expect(error.message).toContain('`kernel-pakages`');
		expect(error.message).toContain(':1');
	});

	it('names the key and what was expected for a bad value', () => {
		root.write('/etc/dist-kernel/dist-kernel.conf', 'install-backend = lilo\nkernel-packages = sys-kernel/ok bad\n');
		const error = thrown(() => loadConfig(root.root));
		expect(error.exitCode).toBe(2);
		expect(error.details).toMatch(/install-backend: .*"kernel-install"/);
		expect(error.details).toMatch(/kernel-packages \(item 1\): expected category\/name/);
		expect(error.details).not.toMatch(/^\s*[[{]/m);
	});

	it('verify-kvm-grace: 20 s by default, whole seconds from 1', () => {
		expect(loadConfig(root.root).verifyKvmGrace).toBe(20);
		root.write('/etc/dist-kernel/dist-kernel.conf', 'verify-kvm-grace = 5\n');
		expect(loadConfig(root.root).verifyKvmGrace).toBe(5);
		root.write('/etc/dist-kernel/dist-kernel.conf', 'verify-kvm-grace = 0\n');
		expect(thrown(() => loadConfig(root.root)).details).toMatch(/verify-kvm-grace: /);
	});

	it('rejects a line that is not key = value', () => {
		expect(() => configFromText('just words\n', 'f')).toThrow(/expected `key = value`/);
	});

	it('renders a default file that parses back to the defaults', () => {
		const text = renderDefaultConfig().replace(/^#([a-z])/gm, '$1');
		root.write('/etc/dist-kernel/dist-kernel.conf', text);
		expect(loadConfig(root.root)).toEqual(defaultConfig());
	});
});
