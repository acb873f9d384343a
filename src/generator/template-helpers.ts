// The only ways a value may enter a generated file: shell-quoted, validated as a bare token, or XML-escaped.
import { DistKernelError } from '../lib/errors';
import { isCategory, isKernelVersion, isPackageName, printable } from '../lib/validate';
import { parsePmsVersion } from '../parsers/pms-version';

function templateError(message: string): DistKernelError {
	return new DistKernelError('template.value', message);
}

function requireString(value: unknown, helper: string): string {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string')
		throw templateError(`Expected the argument of \`${helper}\` to be a string, got \`${typeof value}\``);
	return value;
}

/** A bash word in single quotes: `it's` → `'it'\''s'`. NUL and newlines are refused (they never belong in one line of bash). */
export function shellQuote(value: unknown): string {
	const text = requireString(value, 'sh');
	if (/[\0\n\r]/.test(text))
		throw templateError(`Expected a value without NUL or newline for \`sh\`, got \`${printable(text)}\``);
	return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Body of a bash array: each item a single-quoted word, separated by spaces. */
export function shellArray(value: unknown): string {
	if (!Array.isArray(value))
		throw templateError(`Expected the argument of \`sharr\` to be an array, got \`${typeof value}\``);
	return value.map(shellQuote).join(' ');
}

const ATOM_RE =
	/^(?:[<>]=?|=|~)?([A-Za-z0-9_][A-Za-z0-9+_.-]*)\/([A-Za-z0-9_][A-Za-z0-9+_-]*?)(?:-([0-9][0-9A-Za-z._-]*?))?(\*)?(?::[A-Za-z0-9_][A-Za-z0-9+_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9+_.-]*)?=?|:=|:\*)?$/;

/** PMS 8.3.1: an atom with optional operator, version and slot; enough for the atoms we write. */
function isAtom(value: string): boolean {
	const match = ATOM_RE.exec(value);
	if (!match) return false;
	const [, category = '', name = '', version] = match;
	if (!isCategory(category) || !isPackageName(name)) return false;
	const hasOperator = /^[<>=~]/.test(value);
	if (hasOperator !== (version !== undefined)) return false;
	return version === undefined || parsePmsVersion(version) !== undefined;
}

/** Kinds of bare tokens `tok` accepts: each is free of shell and XML metacharacters by construction. */
export const TOKEN_KINDS = {
	'kernel-version': isKernelVersion,
	version: (v: string) => parsePmsVersion(v) !== undefined,
	package: (v: string) => {
		const [c, n, ...rest] = v.split('/');
		return rest.length === 0 && c !== undefined && n !== undefined && isCategory(c) && isPackageName(n);
	},
	atom: isAtom,
	identifier: (v: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v),
	/** File, package or repository names: no slash, no leading dot or dash. */
	name: (v: string) => /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/.test(v) && !v.includes('..'),
	/** Absolute path of plain characters. */
	path: (v: string) => /^\/[A-Za-z0-9_+./-]*$/.test(v) && !/(^|\/)\.\.?(\/|$)/.test(v),
	/** KEYWORDS entry: amd64, ~arm64, -*. */
	keyword: (v: string) => /^(?:[~-]?[A-Za-z0-9_][A-Za-z0-9_-]*|-\*)$/.test(v),
	/** USE flag name, PMS 3.1.4. */
	'use-flag': (v: string) => /^[A-Za-z0-9][A-Za-z0-9+_@-]*$/.test(v),
	/** EAPI value or other small integer. */
	number: (v: string) => /^[0-9]{1,9}$/.test(v),
} as const satisfies Record<string, (value: string) => boolean>;

export type TokenKind = keyof typeof TOKEN_KINDS;

export function isTokenKind(kind: unknown): kind is TokenKind {
	return typeof kind === 'string' && Object.hasOwn(TOKEN_KINDS, kind);
}

/** A bare token, emitted as is after validation against a named kind. */
export function validToken(value: unknown, kind: unknown): string {
	if (!isTokenKind(kind))
		throw templateError(
			`Expected the kind given to \`tok\` to be one of ${Object.keys(TOKEN_KINDS).join(', ')}, got \`${String(kind)}\``,
		);
	const text = requireString(value, 'tok');
	if (!TOKEN_KINDS[kind](text)) throw templateError(`Expected \`${printable(text)}\` to be a valid ${kind}`);
	return text;
}

/** Several tokens of one kind, separated by single spaces (KEYWORDS, IUSE). */
export function validTokens(value: unknown, kind: unknown): string {
	if (!Array.isArray(value))
		throw templateError(`Expected the first argument of \`toks\` to be an array, got \`${typeof value}\``);
	return value.map((item) => validToken(item, kind)).join(' ');
}

/** XML character data or attribute value: escaped; control characters refused. */
export function xmlText(value: unknown): string {
	const text = requireString(value, 'xml');
	if (/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text))
		throw templateError(`Expected text without control characters for \`xml\`, got \`${printable(text)}\``);
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;');
}
