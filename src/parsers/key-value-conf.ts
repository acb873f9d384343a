// dist-kernel.conf: "key = value" lines, '#' comments, blank lines. Values may be quoted with "..." or '...'.
// Pure: takes the text, returns entries with line numbers for error messages.
import { DistKernelError } from '../lib/errors';

export interface KeyValueEntry {
	key: string;
	value: string;
	line: number;
}

export function parseKeyValueConf(text: string, source = 'config'): KeyValueEntry[] {
	const entries: KeyValueEntry[] = [];
	const lines = text.split('\n');
	for (const [index, raw] of lines.entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) continue;
		const eq = line.indexOf('=');
		if (eq <= 0) {
			throw new DistKernelError('config.syntax', `invalid line in ${source}:${index + 1}: expected \`key = value\``, {
				exitCode: 2,
				details: raw,
			});
		}
		const key = line.slice(0, eq).trim();
		let value = line.slice(eq + 1).trim();
		const quote = value[0];
		if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1);
		if (!/^[a-z][a-z0-9-]*$/.test(key)) {
			throw new DistKernelError('config.syntax', `invalid key in ${source}:${index + 1}: \`${key}\``, { exitCode: 2 });
		}
		entries.push({ key, value, line: index + 1 });
	}
	return entries;
}
