// /etc/portage/repos.conf as Portage reads it: Python configparser (BasicInterpolation, strict) fed every file in
// order, [DEFAULT] values inherited by every section (gentoo/portage lib/portage/repository/config.py, man portage(5)).
// Pure: takes the texts of the files in the order Portage reads them.
import { DistKernelError } from '../lib/errors';
import { printable } from '../lib/validate';

export interface ReposConfSource {
	/** Path shown in messages. */
	path: string;
	text: string;
}

export interface ReposConfSection {
	/** Section name: the repository name as the admin wrote it. */
	name: string;
	/** Option names lower-cased (configparser's optionxform), values interpolated; [DEFAULT] values included. */
	options: Record<string, string>;
	/** File that first defined the section. */
	source: string;
}

export interface ReposConf {
	defaults: Record<string, string>;
	sections: ReposConfSection[];
}

/** Values Portage passes as configparser defaults; `%(EPREFIX)s` etc. may be used in repos.conf. */
export const PORTAGE_INTERPOLATION_DEFAULTS: Readonly<Record<string, string>> = {
	eprefix: '',
	eroot: '/',
	portage_configroot: '/',
	root: '/',
};

function syntaxError(source: string, line: number, message: string): DistKernelError {
	return new DistKernelError('repos-conf.syntax', `invalid repos.conf: ${source}:${line}`, {
		details: message,
		exitCode: 2,
	});
}

interface RawSection {
	name: string;
	source: string;
	options: Map<string, string>;
}

// configparser SECTCRE: `[` then everything up to the last `]` on the line.
const SECTION_RE = /^\[(.+)\]/;
// configparser OPTCRE: the key is everything up to the first delimiter (= or :), both sides stripped.
const OPTION_RE = /^(.*?)\s*[=:]\s*(.*)$/;

/** Reads the files in order; later files add sections or override options, as configparser.read_file does. */
export function parseReposConf(
	sources: readonly ReposConfSource[],
	interpolationDefaults: Readonly<Record<string, string>> = PORTAGE_INTERPOLATION_DEFAULTS,
): ReposConf {
	const defaults = new Map<string, string>(Object.entries(interpolationDefaults));
	const sections = new Map<string, RawSection>();
	for (const { path, text } of sources) parseOne(path, text, defaults, sections);

	const defaultValues = Object.fromEntries(
		[...defaults].map(([k, v]) => [k, interpolate(v, k, 'DEFAULT', defaults, new Map(), path0(sources))]),
	);
	const result: ReposConfSection[] = [];
	for (const section of sections.values()) {
		const options: Record<string, string> = {};
		const keys = new Set([...defaults.keys(), ...section.options.keys()]);
		for (const key of keys) {
			const raw = section.options.get(key) ?? defaults.get(key) ?? '';
			options[key] = interpolate(raw, key, section.name, section.options, defaults, section.source);
		}
		result.push({ name: section.name, options, source: section.source });
	}
	return { defaults: defaultValues, sections: result };
}

function path0(sources: readonly ReposConfSource[]): string {
	return sources[0]?.path ?? 'repos.conf';
}

function parseOne(
	source: string,
	text: string,
	defaults: Map<string, string>,
	sections: Map<string, RawSection>,
): void {
	const seenSections = new Set<string>();
	const seenOptions = new Set<string>();
	let current: Map<string, string> | undefined;
	let currentName: string | undefined;
	let option: string | undefined;
	let optionIndent = 0;
	// Lines of the value being read, blank lines kept until we know whether the value continues.
	let valueLines: string[] = [];

	const flush = () => {
		if (current && option !== undefined) {
			while (valueLines.length > 0 && valueLines[valueLines.length - 1] === '') valueLines.pop();
			current.set(option, valueLines.join('\n'));
		}
		option = undefined;
		valueLines = [];
	};

	const lines = text.replace(/\r\n/g, '\n').split('\n');
	for (const [index, raw] of lines.entries()) {
		const lineNo = index + 1;
		const stripped = raw.trim();
		// configparser: full-line comments only; '#' or ';' after the first non-space character.
		if (stripped.startsWith('#') || stripped.startsWith(';')) continue;
		if (stripped === '') {
			if (option !== undefined) valueLines.push('');
			continue;
		}
		const indent = raw.length - raw.trimStart().length;
		if (current && option !== undefined && indent > optionIndent) {
			valueLines.push(stripped);
			continue;
		}
		flush();
		const sectionMatch = SECTION_RE.exec(stripped);
		if (sectionMatch) {
			const name = sectionMatch[1] ?? '';
			if (seenSections.has(name) && name !== 'DEFAULT')
				throw syntaxError(source, lineNo, `section [${printable(name)}] appears twice in this file`);
			seenSections.add(name);
			currentName = name;
			if (name === 'DEFAULT') current = defaults;
			else {
				let section = sections.get(name);
				if (!section) {
					section = { name, source, options: new Map() };
					sections.set(name, section);
				}
				current = section.options;
			}
			continue;
		}
		if (!current || currentName === undefined)
			throw syntaxError(source, lineNo, `expected a [section] header before \`${printable(stripped)}\``);
		const optionMatch = OPTION_RE.exec(stripped);
		if (!optionMatch || (optionMatch[1] ?? '') === '')
			throw syntaxError(source, lineNo, `expected \`key = value\`, got \`${printable(stripped)}\``);
		const key = (optionMatch[1] ?? '').toLowerCase();
		const seenKey = `${currentName}\0${key}`;
		if (seenOptions.has(seenKey))
			throw syntaxError(
				source,
				lineNo,
				`option \`${printable(key)}\` appears twice in section [${printable(currentName)}]`,
			);
		seenOptions.add(seenKey);
		option = key;
		optionIndent = indent;
		valueLines = [optionMatch[2] ?? ''];
	}
	flush();
}

/** configparser BasicInterpolation: `%(name)s` from the section then [DEFAULT], `%%` a literal percent sign. */
function interpolate(
	value: string,
	key: string,
	section: string,
	own: Map<string, string>,
	fallback: Map<string, string>,
	source: string,
	depth = 0,
): string {
	if (depth > 10)
		throw new DistKernelError('repos-conf.syntax', `invalid repos.conf: ${source}`, {
			exitCode: 2,
			details: `interpolation of \`${key}\` in [${printable(section)}] is too deep (a loop?)`,
		});
	let out = '';
	for (let i = 0; i < value.length; ) {
		const c = value[i];
		if (c !== '%') {
			out += c;
			i++;
			continue;
		}
		const next = value[i + 1];
		if (next === '%') {
			out += '%';
			i += 2;
			continue;
		}
		const match = /^%\(([^)]+)\)s/.exec(value.slice(i));
		if (!match) {
			throw new DistKernelError('repos-conf.syntax', `invalid repos.conf: ${source}`, {
				exitCode: 2,
				details: `\`${key}\` in [${printable(section)}]: '%' must be followed by '%' or '(name)s', got \`${printable(value)}\``,
			});
		}
		const name = (match[1] ?? '').toLowerCase();
		const referenced = own.get(name) ?? fallback.get(name);
		if (referenced === undefined) {
			throw new DistKernelError('repos-conf.syntax', `invalid repos.conf: ${source}`, {
				exitCode: 2,
				details: `\`${key}\` in [${printable(section)}] refers to \`%(${printable(name)})s\`, which is not set`,
			});
		}
		out += interpolate(referenced, name, section, own, fallback, source, depth + 1);
		i += match[0].length;
	}
	return out;
}
