// The one configuration schema. The file /etc/dist-kernel/dist-kernel.conf uses the kebab-case spelling of
// these keys (`kernel-packages = ...`); command-line flags of the same name override it.
import * as z from 'zod';
import { isCategory, isPackageName } from '../lib/validate';

const packageKey = z.string().refine((v) => {
	const [c, n, ...rest] = v.split('/');
	return rest.length === 0 && c !== undefined && n !== undefined && isCategory(c) && isPackageName(n);
}, 'expected category/name, such as sys-kernel/gentoo-kernel');

const absolutePath = z
	.string()
	.refine((v) => v.startsWith('/') && !/[\0\n\r]/.test(v), 'expected an absolute path without newlines');

const repoName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, 'expected a repository name such as gentoo');

export const configSchema = z.strictObject({
	/** Packages whose versions the virtual accepts (any-of). */
	kernelPackages: z
		.array(packageKey)
		.min(1)
		.default(['sys-kernel/gentoo-kernel', 'sys-kernel/gentoo-kernel-bin', 'sys-kernel/vanilla-kernel'])
		.describe('kernel packages that satisfy virtual/dist-kernel'),
	/** Repository names to scan; empty means every repository in repos.conf (except our own). */
	repositories: z.array(repoName).default([]).describe('repositories to scan (default: all in repos.conf)'),
	overlayDir: absolutePath.default('/var/db/repos/dist-kernel').describe('where the overlay is generated'),
	maintainerEmail: z
		.string()
		.regex(/^[^\s<>&@"']+@[^\s<>&@"']+$/, 'expected an e-mail address such as root@localhost')
		.default('root@localhost')
		.describe('maintainer e-mail for metadata.xml'),
	maintainerName: z
		.string()
		.regex(/^[^<>&\n]*$/, 'no <, >, & or newline')
		.default('Local administrator')
		.describe('maintainer name for metadata.xml'),
	installBackend: z
		.enum(['auto', 'kernel-install', 'installkernel', 'builtin'])
		.default('auto')
		.describe('how kernels are installed into /boot'),
	uki: z
		.enum(['auto', 'yes', 'no'])
		.default('auto')
		.describe('build a unified kernel image (auto: when dracut has uefi=yes)'),
	bootloaders: z
		.array(z.enum(['grub', 'systemd-boot', 'efibootmgr']))
		.default([])
		.describe('boot loader configurations to update after install (default: none)'),
	keepKernels: z.coerce.number().int().min(1).default(2).describe('kernels kept by `dist-kernel clean`'),
	coalesceInitramfs: z.boolean().default(true).describe('one dracut run per kernel per emerge'),
	usePrebuilt: z
		.boolean()
		.default(true)
		.describe('install an initrd or uki.efi shipped beside the kernel image instead of running dracut'),
	rescueImage: z
		.boolean()
		.default(false)
		.describe('keep one generic rescue image (dracut 0-rescue naming), rebuilt when the newest kernel changes'),
	dracutTimeout: z.coerce.number().int().min(0).default(900).describe('seconds before dracut is stopped (0: never)'),
	genericImage: z
		.enum(['no', 'initramfs', 'uki'])
		.default('no')
		.describe('build host: put a generic initramfs or UKI into kernel binary packages (dist-kernel generic-image)'),
	genericImageCmdline: z
		.string()
		.regex(/^[^\n\r\0]*$/, 'one line')
		.default('')
		.describe('kernel command line embedded in generic UKIs (default: none)'),
	genericImageModules: z
		.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected dracut module names'))
		.default([])
		.describe('dracut modules of generic images (default: every module dracut has)'),
	securebootKey: z
		.string()
		.refine(
			(v) => v === '' || ((v.startsWith('/') || v.startsWith('pkcs11:')) && !/[\0\n\r]/.test(v)),
			'expected an absolute path or a pkcs11: URI',
		)
		.default('')
		.describe(
			'Secure Boot signing key: a file under the root or a pkcs11: URI (default: discovered, see README "Secure Boot")',
		),
	securebootCert: z
		.string()
		.refine((v) => v === '' || (v.startsWith('/') && !/[\0\n\r]/.test(v)), 'expected an absolute path')
		.default('')
		.describe('certificate (PEM) of the Secure Boot signing key (set with secureboot-key)'),
	verifyBoot: z
		.enum(['no', 'qemu'])
		.default('no')
		.describe('boot a new image in QEMU before it becomes the default (qemu)'),
	verifyTimeout: z.coerce
		.number()
		.int()
		.min(10)
		.default(600)
		.describe('seconds a verification boot whose kernel started may take before it counts as failed'),
	verifyAccel: z
		.enum(['auto', 'kvm', 'tcg'])
		.default('auto')
		.describe('QEMU accelerator for verification (auto: KVM when the kernel under test boots under it, else TCG)'),
	verifyKvmGrace: z.coerce
		.number()
		.int()
		.min(1)
		.default(20)
		.describe(
			'seconds a KVM guest may stay without its kernel banner before KVM counts as unable to run it (auto then retries under TCG)',
		),
	verifySecureboot: z
		.enum(['auto', 'yes', 'no'])
		.default('auto')
		.describe(
			'boot UKIs for verification under Secure Boot firmware with the signing certificate enrolled (auto: when this machine runs with Secure Boot)',
		),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

/** `kernelPackages` ↔ `kernel-packages`. */
export function toKebab(key: string): string {
	return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
export function toCamel(key: string): string {
	return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Kind of each key, so the file parser knows how to read a value (lists are whitespace-separated). */
export function valueKind(key: ConfigKey): 'list' | 'boolean' | 'scalar' {
	const shape = configSchema.shape[key];
	const inner = shape.def.innerType;
	if (inner instanceof z.ZodArray) return 'list';
	if (inner instanceof z.ZodBoolean) return 'boolean';
	return 'scalar';
}

export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];
