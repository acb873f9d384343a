// Values from outside (argv, environment, VDB, repositories) are checked before any use.
import { DistKernelError, usageError } from './errors';

/** A kernel release as used in paths: /lib/modules/KV, vmlinuz-KV. No '/', '..', whitespace or shell metacharacters. */
const KERNEL_VERSION_RE = /^[0-9][0-9A-Za-z._+~-]{0,127}$/;

export function isKernelVersion(value: string): boolean {
	return KERNEL_VERSION_RE.test(value) && !value.includes('..');
}

export function assertKernelVersion(value: string, what = 'kernel version'): string {
	if (!isKernelVersion(value)) {
		throw usageError(
			'input.kernel-version',
			`Expected ${what} to be a kernel version such as 6.1.0-gentoo-dist, got \`${printable(value)}\``,
		);
	}
	return value;
}

// PMS 3.1: category and package names. The one place these patterns are written.
const NAME_CHARS = '[A-Za-z0-9_][A-Za-z0-9+_.-]*';
const CATEGORY_RE = new RegExp(`^${NAME_CHARS}$`);
const PN_RE = /^[A-Za-z0-9_][A-Za-z0-9+_-]*$/;
/** CAT/PF (or CAT/P): a category, one slash, a name-version in the same characters. */
const CATEGORY_AND_PF_RE = new RegExp(`^${NAME_CHARS}/${NAME_CHARS}$`);

export function isCategory(value: string): boolean {
	return CATEGORY_RE.test(value);
}

/** PMS 3.1.3: a slot (or sub-slot) name uses the category characters. */
export function isSlotName(value: string): boolean {
	return CATEGORY_RE.test(value);
}

/** CAT/PF as the eclasses pass it (${CATEGORY}/${PF}), or a CPV as a binary package index lists it. */
export function isCategoryAndPf(value: string): boolean {
	return CATEGORY_AND_PF_RE.test(value);
}

/** PMS: a package name must not end in a hyphen followed by something that looks like a version. */
export function isPackageName(value: string): boolean {
	return (
		PN_RE.test(value) && !/-(?:[0-9]+[A-Za-z]?(?:\.[0-9]+)*[A-Za-z]?|r[0-9]+)$/.test(value) && !value.endsWith('-')
	);
}

/** "category/name" without version or operators. */
export function assertPackageKey(value: string, what = 'package'): string {
	const [category, name, ...rest] = value.split('/');
	if (
		rest.length > 0 ||
		category === undefined ||
		name === undefined ||
		!isCategory(category) ||
		!isPackageName(name)
	) {
		throw usageError(
			'input.package',
			`Expected ${what} to be category/name such as sys-kernel/gentoo-kernel, got \`${printable(value)}\``,
		);
	}
	return value;
}

/** Absolute path without NUL or newline (paths end up in generated files and log lines). */
export function assertSafePath(value: string, what = 'path'): string {
	if (!value.startsWith('/') || /[\0\n\r]/.test(value)) {
		throw new DistKernelError(
			'input.path',
			`Expected ${what} to be an absolute path without newlines, got \`${printable(value)}\``,
			{ exitCode: 2 },
		);
	}
	return value;
}

/** Show untrusted text in an error without letting it break the line or the terminal. */
export function printable(value: string): string {
	const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
	return JSON.stringify(shown).slice(1, -1);
}
