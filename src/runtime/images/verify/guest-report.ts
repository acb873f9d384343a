// The record the guest init writes to the raw result disk: "DKV1\n<nonce reversed>\n<uname release>\n", NUL
// padded. Pure: takes the disk's first bytes.

export interface GuestRecord {
	transformed: string;
	release: string;
}

export function parseGuestRecord(head: Uint8Array): GuestRecord | undefined {
	const text = Buffer.from(head).toString('latin1');
	const end = text.indexOf('\0');
	const lines = (end < 0 ? text : text.slice(0, end)).split('\n');
	if (lines[0] !== 'DKV1' || lines.length < 3) return undefined;
	return { transformed: lines[1]!, release: lines[2]! };
}

/** What the guest must have written for `nonce`. */
export function expectedTransform(nonce: string): string {
	return [...nonce].reverse().join('');
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export function judgeRecord(record: GuestRecord | undefined, nonce: string, kv: string): Verdict {
	if (!record)
		return {
			ok: false,
			reason:
				'the guest never ran the test init (no record on the result disk): the image did not reach the root filesystem',
		};
	if (record.transformed !== expectedTransform(nonce))
		return { ok: false, reason: "the record on the result disk does not answer this run's nonce" };
	if (record.release !== kv)
		return { ok: false, reason: `the guest ran kernel ${record.release || 'unknown'}, not ${kv}` };
	return { ok: true };
}
