// The value of one plain variable in Portage's make.conf (bash-like `VAR="value"` lines, see make.conf(5)).
// Only literal values are taken: a value that needs shell expansion (`$`, backticks) is reported as undefined so
// the caller falls back to Portage's default instead of guessing. Pure: text in, value out.

const ASSIGN_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

function unquote(raw: string): string | undefined {
	const text = raw.replace(/\s+#.*$/, '').trim();
	const quote = text[0];
	if ((quote === '"' || quote === "'") && text.length >= 2 && text.endsWith(quote)) {
		const inner = text.slice(1, -1);
		return quote === '"' && /[$`\\]/.test(inner) ? undefined : inner;
	}
	return /[$`\\'"\s]/.test(text) ? undefined : text;
}

/** The last assignment of `name` across `texts` (make.conf files in the order Portage reads them). */
export function makeConfValue(texts: readonly string[], name: string): string | undefined {
	let value: string | undefined;
	let assigned = false;
	for (const text of texts) {
		for (const line of text.split('\n')) {
			const match = ASSIGN_RE.exec(line);
			if (!match || match[1] !== name) continue;
			assigned = true;
			value = unquote(match[2] ?? '');
		}
	}
	return assigned ? value : undefined;
}
