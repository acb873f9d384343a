// os-release(5): KEY=value lines, values optionally quoted with shell-like escapes. Pure.

export function parseOsRelease(text: string): Record<string, string> {
	const result: Record<string, string> = {};
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) continue;
		const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
		if (!match) continue;
		const [, key = '', value = ''] = match;
		const quote = value[0];
		if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
			const inner = value.slice(1, -1);
			result[key] = quote === '"' ? inner.replace(/\\([\\$"`])/g, '$1') : inner;
		} else {
			result[key] = value;
		}
	}
	return result;
}
