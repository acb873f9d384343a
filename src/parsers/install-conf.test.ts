import { expect, it } from 'vitest';
import { isDistKernelError } from '../lib/errors';
import { interpretInstallConf, parseEntryToken, parseMachineId, parseVendorName } from './install-conf';

function code(fn: () => unknown): string | undefined {
	try {
		fn();
		return undefined;
	} catch (error) {
		return isDistKernelError(error) ? error.code : `untyped: ${String(error)}`;
	}
}

it('maps install.conf variables', () => {
	expect(
		interpretInstallConf(
			new Map([
				['layout', 'bls'],
				['initrd_generator', 'dracut'],
				['BOOT_ROOT', '/efi'],
			]),
		),
	).toEqual({
		layout: 'bls',
		initrdGenerator: 'dracut',
		ukiGenerator: undefined,
		bootRoot: '/efi',
		machineId: undefined,
	});
	expect(interpretInstallConf(new Map([['layout', ' ']])).layout).toBeUndefined();
});

it('lets INSTALLKERNEL_LAYOUT / _INITRD_GENERATOR / _UKI_GENERATOR override the file, as installkernel does', () => {
	const vars = new Map([
		['layout', 'grub'],
		['initrd_generator', 'dracut'],
		['uki_generator', 'none'],
	]);
	const conf = interpretInstallConf(vars, {
		INSTALLKERNEL_LAYOUT: 'uki',
		INSTALLKERNEL_UKI_GENERATOR: 'ukify',
		INSTALLKERNEL_INITRD_GENERATOR: '',
	});
	expect(conf).toMatchObject({ layout: 'uki', ukiGenerator: 'ukify', initrdGenerator: 'dracut' });
});

it('refuses hostile or unknown values with typed configuration errors', () => {
	expect(code(() => interpretInstallConf(new Map([['layout', 'weird']])))).toBe('install-conf.layout');
	expect(code(() => interpretInstallConf(new Map(), { INSTALLKERNEL_LAYOUT: '../../etc' }))).toBe(
		'install-conf.layout',
	);
	expect(code(() => interpretInstallConf(new Map([['initrd_generator', 'dracut;rm -rf /']])))).toBe(
		'install-conf.generator',
	);
	expect(code(() => interpretInstallConf(new Map([['BOOT_ROOT', '/efi/../../etc']])))).toBe('install-conf.boot-root');
	expect(code(() => interpretInstallConf(new Map([['BOOT_ROOT', 'efi']])))).toBe('install-conf.boot-root');
	expect(code(() => interpretInstallConf(new Map([['MACHINE_ID', 'not-an-id']])))).toBe('install-conf.machine-id');
});

it('accepts only single-component entry tokens and vendor names', () => {
	expect(parseEntryToken('gentoo\n', 'entry-token')).toBe('gentoo');
	expect(parseEntryToken('0123456789abcdef0123456789abcdef', 'entry-token')).toBe('0123456789abcdef0123456789abcdef');
	for (const bad of ['../../etc', '..', '.', 'a/b', '', ' x y'])
		expect(code(() => parseEntryToken(bad, 'entry-token'))).toBe('install-conf.entry-token');
	expect(parseVendorName('Gentoo', 'NAME')).toBe('Gentoo');
	for (const bad of ['Debian GNU/Linux', '..', '', 'a\nb'])
		expect(code(() => parseVendorName(bad, 'NAME'))).toBe('install-conf.vendor');
});

it('accepts only real machine ids', () => {
	expect(parseMachineId('0123456789abcdef0123456789abcdef\n')).toBe('0123456789abcdef0123456789abcdef');
	expect(parseMachineId('uninitialized\n')).toBeUndefined();
	expect(parseMachineId('')).toBeUndefined();
});
