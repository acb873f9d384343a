// One line of /var/log/installkernel.log, in the columns installkernel-gentoo's 99-write-log writes (tab
// separated): date (as `LC_ALL=C date`), vendor, version, conf root, layout, initrd generator, UKI generator,
// boot root, kernel path and initrd path relative to the boot root, plugins. Empty values are `notset`, files
// that are not there `unknown`, as there. Pure.

export interface InstallLogRecord {
	date: Date;
	/** installkernel writes `gentoo` (legacy) or `systemd`; ours: `dist-kernel`, `dist-kernel-remove` for removals. */
	vendor: string;
	kv: string;
	confRoot?: string | undefined;
	layout?: string | undefined;
	initrdGenerator?: string | undefined;
	ukiGenerator?: string | undefined;
	/** System paths. */
	bootRoot?: string | undefined;
	kernel?: string | undefined;
	initrd?: string | undefined;
	plugins?: string | undefined;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `LC_ALL=C date` in UTC: `Thu Dec  3 10:18:10 UTC 2026`. */
export function cDate(date: Date): string {
	const two = (n: number) => String(n).padStart(2, '0');
	const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
	return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ${time} UTC ${date.getUTCFullYear()}`;
}

/** No tab or newline may split a column or a line. */
function field(value: string | undefined, unset = 'notset'): string {
	const text = value?.replace(/[\t\r\n]+/g, ' ').trim();
	return text ? text : unset;
}

/** installkernel strips "$BOOT_ROOT/" from the paths. */
function relativeTo(bootRoot: string | undefined, path: string | undefined): string {
	if (!path) return 'unknown';
	if (bootRoot && bootRoot !== '/' && path.startsWith(`${bootRoot}/`))
		return field(path.slice(bootRoot.length + 1), 'unknown');
	return field(path, 'unknown');
}

export function formatInstallLogLine(record: InstallLogRecord): string {
	return [
		cDate(record.date),
		field(record.vendor),
		field(record.kv),
		field(record.confRoot),
		field(record.layout),
		field(record.initrdGenerator),
		field(record.ukiGenerator),
		field(record.bootRoot),
		relativeTo(record.bootRoot, record.kernel),
		relativeTo(record.bootRoot, record.initrd),
		field(record.plugins),
	].join('\t');
}
