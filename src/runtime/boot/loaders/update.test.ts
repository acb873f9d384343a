// Boot loader refreshes only run on the live system, so these run with root "/" and stand-in tools on PATH that
// record their arguments: nothing of the host is read beyond existence checks, nothing is written outside the temp dir.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { runtimeContext } from '../../../../test/runtime/runtime-context';
import { updateBootloaders } from './update';

let tools: TempRoot;
afterEach(() => tools.cleanup());

function standIns(scripts: Record<string, string>): { env: NodeJS.ProcessEnv; log: () => string[] } {
	tools = makeTempRoot('dk-bootloader-');
	const log = tools.path('/calls.log');
	for (const [name, body] of Object.entries(scripts))
		tools.write(`/bin/${name}`, `#!/bin/bash\necho "${name} $*" >> '${log}'\n${body}\n`, 0o755);
	return {
		env: { ...process.env, PATH: `${tools.path('/bin')}:${process.env['PATH']}` },
		log: () => {
			try {
				return readFileSync(log, 'utf8').trimEnd().split('\n');
			} catch {
				return [];
			}
		},
	};
}

describe('updateBootloaders', () => {
	it('does nothing unless configured, and nothing under --root', async () => {
		const { env, log } = standIns({ 'grub-mkconfig': '' });
		await updateBootloaders(runtimeContext('/', { env }), { action: 'install', kv: '6.1.0' });
		const underRoot = runtimeContext(tools.root, { env, config: { bootloaders: ['grub'] } });
		await updateBootloaders(underRoot, { action: 'install', kv: '6.1.0' });
		expect(log()).toEqual([]);
		expect(underRoot.lines.join('\n')).toContain('boot loader updates (grub) skipped');
	});

	it('layout=grub in install.conf runs grub-mkconfig on install and removal, as installkernel[grub] does', async () => {
		const { env, log } = standIns({ 'grub-mkconfig': 'exit 0' });
		const ctx = runtimeContext('/', { env });
		await updateBootloaders(ctx, { action: 'install', kv: '6.1.0', layout: 'grub' });
		await updateBootloaders(ctx, { action: 'remove', kv: '6.1.0', layout: 'grub' });
		await updateBootloaders(ctx, { action: 'install', kv: '6.1.0', layout: 'compat' });
		expect(log()).toHaveLength(2);
		expect(log()[0]).toMatch(/^grub-mkconfig -o \/boot\/grub2?\/grub\.cfg$/);
	});

	it('runs grub-mkconfig and bootctl when configured; a failure is a warning, the kernel stays installed', async () => {
		const { env, log } = standIns({ 'grub-mkconfig': 'exit 0', bootctl: 'echo "bootctl: no ESP" >&2; exit 1' });
		const ctx = runtimeContext('/', { env, config: { bootloaders: ['grub', 'systemd-boot'] } });
		await updateBootloaders(ctx, { action: 'install', kv: '6.1.0' });
		expect(log()[0]).toMatch(/^grub-mkconfig -o \/boot\/grub2?\/grub\.cfg$/);
		expect(log()[1]).toBe('bootctl update --graceful --no-variables');
		expect(ctx.lines.join('\n')).toContain('systemd-boot update failed');
	});

	it('efibootmgr: replaces the entry of the version, never duplicating it', async () => {
		const { env, log } = standIns({
			efibootmgr:
				'[[ $# -eq 0 ]] && printf "BootCurrent: 0001\\nBoot0001* Windows\\tHD(1)\\nBoot0003* Gentoo 6.1.0\\tHD(1)\\n"; exit 0',
			findmnt: 'echo "/efi /dev/nvme0n1p1 vfat"',
			lsblk: 'echo "nvme0n1 1"',
		});
		const ctx = runtimeContext('/', { env, config: { bootloaders: ['efibootmgr'] } });
		await updateBootloaders(ctx, { action: 'install', kv: '6.1.0', ukiImage: '/efi/EFI/Linux/gentoo-6.1.0.efi' });
		expect(log()).toEqual([
			'efibootmgr ',
			'efibootmgr --quiet --delete-bootnum --bootnum 0003',
			'findmnt --noheadings --output TARGET,SOURCE,FSTYPE --target /efi/EFI/Linux/gentoo-6.1.0.efi',
			'lsblk --noheadings --nodeps --output PKNAME,PARTN /dev/nvme0n1p1',
			'efibootmgr --quiet --create --disk /dev/nvme0n1 --part 1 --label Gentoo 6.1.0 --loader \\EFI\\Linux\\gentoo-6.1.0.efi',
		]);
	});

	it('efibootmgr: no entry for an image outside a vfat ESP', async () => {
		const { env, log } = standIns({ efibootmgr: 'exit 0', findmnt: 'echo "/ /dev/vda ext4"' });
		const ctx = runtimeContext('/', { env, config: { bootloaders: ['efibootmgr'] } });
		await updateBootloaders(ctx, { action: 'install', kv: '6.1.0', ukiImage: '/boot/vmlinuz-6.1.0' });
		expect(log()).toEqual([
			'efibootmgr ',
			'findmnt --noheadings --output TARGET,SOURCE,FSTYPE --target /boot/vmlinuz-6.1.0',
		]);
		expect(ctx.lines.join('\n')).toContain('/boot/vmlinuz-6.1.0 is not on an EFI system partition (/ is ext4)');
	});
});
