// The kernel's mount tables (/proc/mounts, /proc/self/mountinfo) write space, tab, newline and backslash in names as
// octal escapes (`\040`, `\011`, `\012`, `\134`).

export function unescapeOctal(field: string): string {
	return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
