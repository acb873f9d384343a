import { describe, expect, it } from 'vitest';
import { isDistKernelError } from '../lib/errors';
import { answerPluginNoOp, parsePluginCall } from './plugin-fast-path';

const remove = ['plugin', 'dist-kernel', 'remove', '6.1.0-gentoo-dist', '/boot/efi/abc/6.1.0-gentoo-dist'];
const add = [
	'plugin',
	'dist-kernel',
	'add',
	'6.1.0-gentoo-dist',
	'/boot/efi/abc/6.1.0-gentoo-dist',
	'/lib/modules/6.1.0-gentoo-dist/vmlinuz',
];

describe('parsePluginCall', () => {
	it('takes the global flags hooks pass, then `plugin` and its arguments', () => {
		expect(parsePluginCall(remove)).toEqual({ root: '/', verbose: false, positional: remove.slice(1) });
		expect(parsePluginCall(['--root', '/mnt/gentoo', '--dry-run', '-v', ...remove])).toEqual({
			root: '/mnt/gentoo',
			verbose: true,
			positional: remove.slice(1),
		});
		expect(parsePluginCall(['--root=/x', '--verbose', ...add])?.root).toBe('/x');
	});

	it('declines whatever the full program should parse: other commands, flags it does not know, help, too few arguments', () => {
		expect(parsePluginCall(['install', '6.1.0'])).toBeUndefined();
		expect(parsePluginCall(['--config', 'x', ...remove])).toBeUndefined();
		expect(parsePluginCall([...remove, '--help'])).toBeUndefined();
		expect(parsePluginCall(['plugin', '--', 'dist-kernel', 'remove', '6.1.0', '/e'])).toBeUndefined();
		expect(parsePluginCall(['plugin', 'dist-kernel', 'remove', '6.1.0'])).toBeUndefined();
		expect(parsePluginCall(['--root'])).toBeUndefined();
	});
});

describe('answerPluginNoOp', () => {
	it('answers remove, and add when our pipeline runs kernel-install, an initrd is given, or another generator is set', () => {
		expect(answerPluginNoOp(remove, {})).toBe(0);
		expect(answerPluginNoOp(add, { DIST_KERNEL_PIPELINE: '1' })).toBe(0);
		expect(answerPluginNoOp([...add, '/boot/initrd.img'], {})).toBe(0);
		expect(answerPluginNoOp(add, { KERNEL_INSTALL_INITRD_GENERATOR: 'mkinitcpio' })).toBe(0);
		expect(answerPluginNoOp(add, { KERNEL_INSTALL_IMAGE_TYPE: 'uki' })).toBe(0);
	});

	it('leaves a build to the full program', () => {
		expect(answerPluginNoOp(add, {})).toBeUndefined();
		expect(answerPluginNoOp(add, { KERNEL_INSTALL_INITRD_GENERATOR: 'dist-kernel' })).toBeUndefined();
		expect(answerPluginNoOp(['install', '6.1.0'], {})).toBeUndefined();
	});

	it('checks the input like the full program: typed usage errors', () => {
		const codes: string[] = [];
		for (const args of [
			['plugin', 'other', 'remove', '6.1.0', '/e'],
			['plugin', 'dist-kernel', 'remove', 'not a kv', '/e'],
			['plugin', 'dist-kernel', 'frobnicate', '6.1.0', '/e'],
			['--root', 'rel\nroot', ...remove],
		]) {
			try {
				answerPluginNoOp(args, {});
				codes.push('no error');
			} catch (error) {
				codes.push(isDistKernelError(error) ? `${error.code}/${error.exitCode}` : String(error));
			}
		}
		expect(codes).toEqual([
			'plugin.unknown/2',
			'input.kernel-version/2',
			'plugin.command/2',
			expect.stringMatching(/\/2$/),
		]);
	});
});
