// A Boot Loader Specification type #1 entry, line for line as systemd's 90-loaderentry.install writes it.
// Pure: every value is given.

export interface LoaderEntry {
	kv: string;
	prettyName: string | undefined;
	machineId: string | undefined;
	entryToken: string;
	sortKey: string | undefined;
	options: string;
	/** The entry directory as the boot loader sees it (relative to the boot partition's root), e.g. /gentoo/6.12.1. */
	entryDir: string;
	initrds: readonly string[];
}

export function loaderEntryText(entry: LoaderEntry): string {
	let options = entry.options.trim();
	// The machine id names the entry directory: systemd passes it to the booted system the same way.
	if (entry.machineId && entry.entryToken === entry.machineId && !options.includes('systemd.machine_id=')) {
		options = `${options} systemd.machine_id=${entry.machineId}`.trim();
	}
	const lines = [`title      ${entry.prettyName || `Linux ${entry.kv}`}`, `version    ${entry.kv}`];
	if (entry.machineId && entry.entryToken === entry.machineId) lines.push(`machine-id ${entry.machineId}`);
	if (entry.sortKey) lines.push(`sort-key   ${entry.sortKey}`);
	lines.push(`options    ${options}`, `linux      ${entry.entryDir}/linux`);
	for (const initrd of entry.initrds) lines.push(`initrd     ${entry.entryDir}/${initrd}`);
	return `${lines.join('\n')}\n`;
}
