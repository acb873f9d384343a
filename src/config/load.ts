// Reads /etc/dist-kernel/dist-kernel.conf under the root, applies command-line overrides, validates.
import { readFileSync } from 'node:fs';
import { DistKernelError } from '../lib/errors';
import { underRoot } from '../lib/root';
import { parseKeyValueConf } from '../parsers/key-value-conf';
import { CONFIG_KEYS, type Config, type ConfigKey, configSchema, toCamel, toKebab, valueKind } from './schema';

export const CONFIG_PATH = '/etc/dist-kernel/dist-kernel.conf';

export type ConfigOverrides = Partial<Record<ConfigKey, unknown>>;

function convert(key: ConfigKey, value: string): unknown {
	switch (valueKind(key)) {
		case 'list':
			return value.split(/\s+/).filter(Boolean);
		case 'boolean':
			if (/^(yes|true|1|on)$/i.test(value)) return true;
			if (/^(no|false|0|off)$/i.test(value)) return false;
			return value;
		default:
			return value;
	}
}

/** Parse the file text into raw (unvalidated) values keyed by schema key. */
export function configFromText(text: string, source: string): Record<string, unknown> {
	const raw: Record<string, unknown> = {};
	for (const entry of parseKeyValueConf(text, source)) {
		const key = toCamel(entry.key);
		if (!(CONFIG_KEYS as string[]).includes(key)) {
			throw new DistKernelError('config.invalid', `unknown key in ${source}:${entry.line}: \`${entry.key}\``, {
				exitCode: 2,
				hint: `known keys: ${CONFIG_KEYS.map(toKebab).join(', ')}`,
			});
		}
		raw[key] = convert(key as ConfigKey, entry.value);
	}
	return raw;
}

export function validateConfig(raw: Record<string, unknown>, source: string): Config {
	const result = configSchema.safeParse(raw);
	if (!result.success) {
		const lines = result.error.issues.map((issue) => {
			const key = issue.path.length ? toKebab(String(issue.path[0])) : '(config)';
			const at = issue.path.length > 1 ? ` (item ${issue.path.slice(1).join('.')})` : '';
			return `  ${key}${at}: ${issue.message}`;
		});
		throw new DistKernelError('config.invalid', `invalid configuration: ${source}`, {
			exitCode: 2,
			details: lines.join('\n'),
		});
	}
	return result.data;
}

export function loadConfig(root: string, overrides: ConfigOverrides = {}): Config {
	const path = underRoot(root, CONFIG_PATH);
	let raw: Record<string, unknown> = {};
	try {
		raw = configFromText(readFileSync(path, 'utf8'), path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	for (const [key, value] of Object.entries(overrides)) if (value !== undefined) raw[key] = value;
	return validateConfig(raw, `${path} and command-line options`);
}

export function defaultConfig(): Config {
	return configSchema.parse({});
}

/** The text `setup` writes: every key commented out with its default. */
export function renderDefaultConfig(): string {
	const defaults = defaultConfig();
	const lines = [
		'# dist-kernel configuration: `key = value`, lists separated by spaces.',
		'# Every key below shows its default.',
		'',
	];
	for (const key of CONFIG_KEYS) {
		const description = configSchema.shape[key].description ?? '';
		const value = defaults[key];
		const shown = Array.isArray(value)
			? value.join(' ')
			: typeof value === 'boolean'
				? value
					? 'yes'
					: 'no'
				: String(value);
		lines.push(`# ${description}`, `#${toKebab(key)} = ${shown}`, '');
	}
	return lines.join('\n');
}
