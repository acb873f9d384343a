// Output of bash's `declare -p NAME…` → values. Pure: bash itself evaluated the admin's files; this only undoes
// bash's own quoting ("…" with \" \\ \$ \` escapes, $'…' ANSI-C strings, arrays as ([k]="v" …)).
import { DistKernelError } from '../lib/errors';

export type BashValue = string | string[] | Record<string, string>;

function parseError(message: string, line: string): DistKernelError {
	return new DistKernelError('bash.declare-parse', `cannot read bash variable output: ${message}`, { details: line });
}

const ANSI_SIMPLE: Record<string, string> = {
	a: '\x07',
	b: '\b',
	e: '\x1b',
	E: '\x1b',
	f: '\f',
	n: '\n',
	r: '\r',
	t: '\t',
	v: '\v',
	'\\': '\\',
	"'": "'",
	'"': '"',
	'?': '?',
};

/** Reads one quoted or bare word starting at `pos`; returns the value and the position after it. */
function readWord(text: string, pos: number): { value: string; end: number } {
	let value = '';
	let i = pos;
	while (i < text.length) {
		const c = text[i]!;
		if (c === '"') {
			i += 1;
			while (i < text.length && text[i] !== '"') {
				if (text[i] === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
					if (text[i + 1] !== '\n') value += text[i + 1];
					i += 2;
				} else {
					value += text[i];
					i += 1;
				}
			}
			if (i >= text.length) throw parseError('unterminated double quote', text);
			i += 1;
		} else if (c === '$' && text[i + 1] === "'") {
			i += 2;
			while (i < text.length && text[i] !== "'") {
				if (text[i] !== '\\') {
					value += text[i];
					i += 1;
					continue;
				}
				const e = text[i + 1] ?? '';
				if (e in ANSI_SIMPLE) {
					value += ANSI_SIMPLE[e];
					i += 2;
				} else if (/[0-7]/.test(e)) {
					const m = /^[0-7]{1,3}/.exec(text.slice(i + 1))![0];
					value += String.fromCharCode(parseInt(m, 8));
					i += 1 + m.length;
				} else if (e === 'x') {
					const m = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(i + 2))?.[0];
					if (!m) throw parseError('bad \\x escape', text);
					value += String.fromCharCode(parseInt(m, 16));
					i += 2 + m.length;
				} else if (e === 'u' || e === 'U') {
					const m = (e === 'u' ? /^[0-9A-Fa-f]{1,4}/ : /^[0-9A-Fa-f]{1,8}/).exec(text.slice(i + 2))?.[0];
					if (!m) throw parseError(`bad \\${e} escape`, text);
					value += String.fromCodePoint(parseInt(m, 16));
					i += 2 + m.length;
				} else if (e === 'c') {
					value += String.fromCharCode((text.charCodeAt(i + 2) ?? 64) & 0x1f);
					i += 3;
				} else {
					value += `\\${e}`;
					i += 2;
				}
			}
			if (i >= text.length) throw parseError("unterminated $'' string", text);
			i += 1;
		} else if (c === "'") {
			const close = text.indexOf("'", i + 1);
			if (close < 0) throw parseError('unterminated single quote', text);
			value += text.slice(i + 1, close);
			i = close + 1;
		} else if (/[\s)\]]/.test(c)) {
			break;
		} else if (c === '\\' && i + 1 < text.length) {
			value += text[i + 1];
			i += 2;
		} else {
			value += c;
			i += 1;
		}
	}
	return { value, end: i };
}

function parseCompound(text: string, associative: boolean): string[] | Record<string, string> {
	if (!text.startsWith('(')) throw parseError('expected an array value', text);
	const entries: Array<[string, string]> = [];
	let i = 1;
	for (;;) {
		while (i < text.length && /\s/.test(text[i]!)) i += 1;
		if (text[i] === ')') break;
		if (text[i] !== '[') throw parseError('expected [key]=value in an array', text);
		const key = readWord(text, i + 1);
		if (text[key.end] !== ']' || text[key.end + 1] !== '=') throw parseError('expected ]= in an array', text);
		const value = readWord(text, key.end + 2);
		entries.push([key.value, value.value]);
		i = value.end;
		if (i >= text.length) throw parseError('unterminated array', text);
	}
	if (associative) return Object.fromEntries(entries);
	// Indexed arrays may be sparse; keep the order of the indices.
	return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
}

/**
 * Parses the whole output of `declare -p a b c` (statements may span lines when a value holds a newline).
 * Variables declared without a value (`declare -- x`) are omitted, as bash treats them as unset.
 */
export function parseDeclareOutput(output: string): Map<string, BashValue> {
	const result = new Map<string, BashValue>();
	let i = 0;
	while (i < output.length) {
		if (/\s/.test(output[i]!)) {
			i += 1;
			continue;
		}
		const head = /^declare -([-a-zA-Z]+) ([A-Za-z_][A-Za-z0-9_]*)(=?)/.exec(output.slice(i));
		if (!head) throw parseError('expected a `declare -p` line', output.slice(i, i + 80));
		const [whole, flags = '', name = '', eq] = head;
		i += whole.length;
		if (!eq) continue;
		const rest = output.slice(i);
		if (flags.includes('a') || flags.includes('A')) {
			const close = findCompoundEnd(rest);
			result.set(name, parseCompound(rest.slice(0, close + 1), flags.includes('A')));
			i += close + 1;
		} else {
			const word = readWord(output, i);
			result.set(name, word.value);
			i = word.end;
		}
	}
	return result;
}

/** Index of the ')' closing a compound value, skipping quoted text. */
function findCompoundEnd(text: string): number {
	let i = 1;
	while (i < text.length) {
		const c = text[i]!;
		if (c === ')') return i;
		if (c === '"' || c === "'" || (c === '$' && text[i + 1] === "'")) {
			i = readWord(text, i).end;
			continue;
		}
		i += 1;
	}
	throw parseError('unterminated array', text.slice(0, 80));
}

/** A scalar view: arrays become their elements joined by spaces (how dracut expands most list variables). */
export function scalarOf(value: BashValue | undefined): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value === 'string') return value;
	return (Array.isArray(value) ? value : Object.values(value)).join(' ');
}
