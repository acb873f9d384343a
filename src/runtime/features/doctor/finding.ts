// One doctor finding: what is wrong, how bad, and the command or step that fixes it.

export type FindingLevel = 'error' | 'warning' | 'info';

export interface Finding {
	/** Stable identifier for scripts: 'kernel.no-initramfs', 'initramfs.missing-modules', … */
	id: string;
	level: FindingLevel;
	/** What it is about (a kernel release, a package, a path). */
	subject: string;
	message: string;
	fix: string;
}
