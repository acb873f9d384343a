// Boot Loader Specification type #1 entries (loader/entries/*.conf): `linux`, `initrd` (repeatable), `options`
// (repeatable, joined by spaces), `version`, `title`. Pure: takes the file's text.

export interface BlsEntry {
	title?: string;
	version?: string;
	linux?: string;
	initrds: string[];
	options: string;
}

export function parseBlsEntry(text: string): BlsEntry {
	const entry: BlsEntry = { initrds: [], options: '' };
	const options: string[] = [];
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) continue;
		const match = /^(\S+)\s+(.*)$/.exec(line);
		if (!match) continue;
		const [, key, value] = match as unknown as [string, string, string];
		if (key === 'title') entry.title = value;
		else if (key === 'version') entry.version = value;
		else if (key === 'linux') entry.linux = value;
		else if (key === 'initrd') entry.initrds.push(...value.split(/\s+/).filter(Boolean));
		else if (key === 'options') options.push(value);
	}
	entry.options = options.join(' ');
	return entry;
}
