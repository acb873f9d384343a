// Cheap, deterministic roots for the layout golden tests: a fake kernel package (a few bytes of "image",
// System.map, config, an empty modules tree), a stand-in dracut on PATH writing a recognisable initramfs or UKI,
// a fake EFI stub, Gentoo's os-release, and optionally an ESP at /efi as `bootctl install` leaves it.
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config/schema';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { runtimeContext } from '../runtime/runtime-context';

export const KV = '6.12.1-gentoo-dist';
export const MACHINE_ID = '5f0d1b2c3a4e4f60718293a4b5c6d7e8';

export interface LayoutRootOptions {
	/** install.conf layout=; undefined: no install.conf. */
	layout?: string | undefined;
	esp: boolean;
	uki: boolean;
	cmdline?: boolean;
}

export interface LayoutRoot extends TempRoot {
	tools: string;
	env: NodeJS.ProcessEnv;
	/** Every file and symlink under /boot and /efi, as system paths (links as `path -> target`). */
	tree(): string[];
}

/** A stand-in dracut: the last argument is the output; `--uefi` makes it write a "UKI". */
export const STAND_IN_DRACUT = `#!/bin/bash
echo "$*" >> "\${0%/*}/../dracut.log"
out="\${!#}"
kind=initramfs
for a in "$@"; do [[ $a == --uefi ]] && kind=uki; done
kver=
while [[ $# -gt 0 ]]; do [[ $1 == --kver ]] && kver=$2; shift; done
printf 'stand-in %s for %s\\n' "$kind" "$kver" > "$out"
`;

/** A fake merged kernel package: image, System.map and config in /lib/modules/KV. */
export function addKernel(r: TempRoot, kv: string): void {
	r.write(`/lib/modules/${kv}/vmlinuz`, `fake kernel image ${kv}\n`);
	r.write(`/lib/modules/${kv}/System.map`, `fake System.map ${kv}\n`);
	r.write(`/lib/modules/${kv}/config`, `CONFIG_FAKE=y\n`);
	mkdirSync(r.path(`/lib/modules/${kv}/kernel`), { recursive: true });
}

/** The stand-in dracut's command lines so far. */
export function dracutRuns(r: TempRoot): string[] {
	try {
		return readFileSync(r.path('/dracut.log'), 'utf8').split('\n').filter(Boolean);
	} catch {
		return [];
	}
}

export function layoutRoot(options: LayoutRootOptions): LayoutRoot {
	const r = makeTempRoot('dk-layout-');
	addKernel(r, KV);
	r.write('/etc/os-release', 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n');
	r.write('/etc/machine-id', `${MACHINE_ID}\n`);
	r.write('/etc/dracut.conf.d/10-test.conf', 'hostonly="no"\n');
	if (options.cmdline !== false) r.write('/etc/kernel/cmdline', 'root=/dev/vda2 ro quiet\n');
	if (options.uki) r.write('/etc/dracut.conf.d/20-uki.conf', 'uefi="yes"\n');
	r.write('/usr/lib/systemd/boot/efi/linuxx64.efi.stub', 'fake stub\n');
	if (options.layout !== undefined)
		r.write(
			'/etc/kernel/install.conf',
			`layout=${options.layout}\ninitrd_generator=dracut\nuki_generator=${options.uki ? 'dracut' : 'none'}\n`,
		);
	mkdirSync(r.path('/boot'), { recursive: true });
	if (options.esp) {
		mkdirSync(r.path('/efi/EFI/BOOT'), { recursive: true });
		mkdirSync(r.path('/efi/loader/entries'), { recursive: true });
	}
	const tools = r.path('/test-tools');
	r.write('/test-tools/dracut', STAND_IN_DRACUT, 0o755);
	const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${tools}:${process.env['PATH']}` };
	for (const key of Object.keys(env))
		if (key.startsWith('INSTALLKERNEL_') || key.startsWith('KERNEL_INSTALL_')) delete env[key];
	const tree = () => {
		const out: string[] = [];
		const walk = (system: string) => {
			let names: string[];
			try {
				names = readdirSync(r.path(system)).sort();
			} catch {
				return;
			}
			for (const name of names) {
				const path = `${system}/${name}`;
				const stats = lstatSync(r.path(path));
				if (stats.isSymbolicLink()) out.push(`${path} -> ${readlinkSync(r.path(path))}`);
				else if (stats.isDirectory()) walk(path);
				else out.push(path);
			}
		};
		walk('/boot');
		walk('/efi');
		return out;
	};
	return { ...r, tools, env, tree };
}

export function layoutContext(r: LayoutRoot, config: Partial<Config> = {}, env: NodeJS.ProcessEnv = {}) {
	return runtimeContext(r.root, { env: { ...r.env, ...env }, config: { installBackend: 'builtin', ...config } });
}

export function contentOf(r: TempRoot, system: string): string {
	return readFileSync(join(r.root, system), 'utf8');
}
