import { expect, it } from 'vitest';
import { interpretInstallConf, parseMachineId } from './install-conf';

it('maps install.conf variables, treating unknown layouts as other', () => {
	expect(interpretInstallConf(new Map([['layout', 'bls'], ['initrd_generator', 'dracut'], ['BOOT_ROOT', '/efi']]))).toEqual({
		layout: 'bls',
		initrdGenerator: 'dracut',
		ukiGenerator: undefined,
		bootRoot: '/efi',
		machineId: undefined,
	});
	expect(interpretInstallConf(new Map([['layout', 'weird']])).layout).toBe('other');
	expect(interpretInstallConf(new Map([['layout', ' ']])).layout).toBeUndefined();
});

it('accepts only real machine ids', () => {
	expect(parseMachineId('0123456789abcdef0123456789abcdef\n')).toBe('0123456789abcdef0123456789abcdef');
	expect(parseMachineId('uninitialized\n')).toBeUndefined();
	expect(parseMachineId('')).toBeUndefined();
});
