// Package dependency specifications (PMS 8.2/8.3) as found in a VDB RDEPEND, plus CPV splitting (PMS 3.1/3.2).
// Portage writes the resolved slot operator into the VDB (`virtual/dist-kernel:0/6.1.11=`) and has already reduced
// USE conditionals there; we still tolerate `flag? ( … )` and `|| ( … )` groups. Pure: strings in.
import { DistKernelError } from '../lib/errors';
import { isCategory, isPackageName, isSlotName, printable } from '../lib/validate';
import { type PmsVersion, parsePmsVersion } from './pms-version';

export interface Cpv {
	category: string;
	/** Package name (PN). */
	name: string;
	/** Version with revision (PVR). */
	version: PmsVersion;
	/** `category/name`. */
	key: string;
}

export type AtomOperator = '' | '<' | '<=' | '=' | '~' | '>=' | '>';

export interface Atom {
	text: string;
	blocker: '' | '!' | '!!';
	operator: AtomOperator;
	/** `=cat/pkg-1.2*`. */
	wildcard: boolean;
	category: string;
	name: string;
	key: string;
	version?: PmsVersion;
	slot?: string;
	subSlot?: string;
	/** `=` or `*` slot operator. */
	slotOperator?: '=' | '*';
	repo?: string;
	useDeps: string[];
}

function parseError(what: string, text: string): DistKernelError {
	return new DistKernelError('vdb.parse', `invalid ${what}: \`${printable(text)}\``);
}

/** Split `name-version` (PF/P) where the name must not itself end in a version (PMS 3.1.2). */
export function splitNameVersion(text: string): { name: string; version: PmsVersion } | undefined {
	for (let at = text.indexOf('-'); at > 0; at = text.indexOf('-', at + 1)) {
		const name = text.slice(0, at);
		const version = parsePmsVersion(text.slice(at + 1));
		if (version && isPackageName(name)) return { name, version };
	}
	return undefined;
}

/** `category/name-version[-rN]` → parts; throws 'vdb.parse'. */
export function parseCpv(text: string): Cpv {
	const slash = text.indexOf('/');
	const category = text.slice(0, slash);
	const split = slash > 0 ? splitNameVersion(text.slice(slash + 1)) : undefined;
	if (!split || !isCategory(category)) throw parseError('package version', text);
	return { category, name: split.name, version: split.version, key: `${category}/${split.name}` };
}

const USE_DEP_RE = /^(?:-|!)?[A-Za-z0-9][A-Za-z0-9+_@-]*(?:\([+-]\))?[=?]?$/;
const REPO_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const OPERATORS: AtomOperator[] = ['<=', '>=', '<', '>', '=', '~'];

/** One atom such as `>=sys-kernel/gentoo-kernel-6.1:6.1/6.1.11=[foo,-bar]::gentoo`. */
export function parseAtom(input: string): Atom {
	let rest = input;
	let blocker: Atom['blocker'] = '';
	if (rest.startsWith('!!')) blocker = '!!';
	else if (rest.startsWith('!')) blocker = '!';
	rest = rest.slice(blocker.length);
	const operator = OPERATORS.find((op) => rest.startsWith(op)) ?? '';
	rest = rest.slice(operator.length);

	let useDeps: string[] = [];
	if (rest.endsWith(']')) {
		const open = rest.indexOf('[');
		if (open < 0) throw parseError('dependency atom', input);
		useDeps = rest.slice(open + 1, -1).split(',');
		if (useDeps.some((u) => !USE_DEP_RE.test(u))) throw parseError('dependency atom', input);
		rest = rest.slice(0, open);
	}
	let repo: string | undefined;
	const repoAt = rest.indexOf('::');
	if (repoAt >= 0) {
		repo = rest.slice(repoAt + 2);
		if (!REPO_RE.test(repo)) throw parseError('dependency atom', input);
		rest = rest.slice(0, repoAt);
	}
	let slot: string | undefined;
	let subSlot: string | undefined;
	let slotOperator: Atom['slotOperator'];
	const colon = rest.indexOf(':');
	if (colon >= 0) {
		let slotText = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
		if (slotText === '*' || slotText === '=') {
			slotOperator = slotText;
			slotText = '';
		} else if (slotText.endsWith('=')) {
			slotOperator = '=';
			slotText = slotText.slice(0, -1);
		}
		if (slotText !== '') {
			const [main, sub, ...extra] = slotText.split('/');
			if (extra.length > 0 || !isSlotName(main ?? '') || (sub !== undefined && !isSlotName(sub))) {
				throw parseError('dependency atom', input);
			}
			slot = main;
			subSlot = sub;
		} else if (slotOperator === undefined) {
			throw parseError('dependency atom', input);
		}
	}
	let wildcard = false;
	if (rest.endsWith('*')) {
		if (operator !== '=') throw parseError('dependency atom', input);
		wildcard = true;
		rest = rest.slice(0, -1);
	}
	const slash = rest.indexOf('/');
	const category = rest.slice(0, slash);
	if (slash <= 0 || !isCategory(category)) throw parseError('dependency atom', input);
	const tail = rest.slice(slash + 1);
	let name = tail;
	let version: PmsVersion | undefined;
	if (operator !== '') {
		const split = splitNameVersion(tail);
		if (!split) throw parseError('dependency atom', input);
		name = split.name;
		version = split.version;
		if (operator === '~' && version.revision !== '') throw parseError('dependency atom', input);
	} else if (!isPackageName(name)) {
		throw parseError('dependency atom', input);
	}
	return {
		text: input,
		blocker,
		operator,
		wildcard,
		category,
		name,
		key: `${category}/${name}`,
		...(version ? { version } : {}),
		...(slot !== undefined ? { slot } : {}),
		...(subSlot !== undefined ? { subSlot } : {}),
		...(slotOperator ? { slotOperator } : {}),
		...(repo ? { repo } : {}),
		useDeps,
	};
}

/**
 * Every atom in a dependency string, groups flattened (`|| ( a b )`, `flag? ( c )`, `( d )`).
 * Throws 'vdb.parse' on unbalanced parentheses or a malformed atom.
 */
export function parseDependAtoms(text: string): Atom[] {
	const atoms: Atom[] = [];
	let depth = 0;
	let expectGroup = false;
	for (const token of text.split(/\s+/)) {
		if (token === '') continue;
		if (expectGroup && token !== '(') throw parseError('dependency string', text);
		expectGroup = false;
		if (token === '(') depth++;
		else if (token === ')') {
			depth--;
			if (depth < 0) throw parseError('dependency string', text);
		} else if (token === '||' || /^!?[A-Za-z0-9][A-Za-z0-9+_@-]*\?$/.test(token)) expectGroup = true;
		else atoms.push(parseAtom(token));
	}
	if (depth !== 0 || expectGroup) throw parseError('dependency string', text);
	return atoms;
}
