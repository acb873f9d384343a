// One line of the fault table: what was tried and how much of it survived.

export interface FaultRow {
	/** Fault class: 'SIGKILL', 'ENOSPC', 'concurrency', 'fuzz', 'hostile input'. */
	kind: string;
	/** What exactly, e.g. the parser or the fill level. */
	subject: string;
	tried: number;
	survived: number;
	/** Short explanation; failures name their first examples. */
	notes: string;
	/** Not run at all (missing code or tool): the reason. */
	skipped?: string;
}

export type Progress = (line: string) => void;

export function failedCount(row: FaultRow): number {
	return row.tried - row.survived;
}
