import { describe, expect, it } from 'vitest';
import { expectedTransform, judgeRecord, parseGuestRecord } from './guest-report';

function disk(text: string): Buffer {
	const buf = Buffer.alloc(4096);
	buf.write(text, 'latin1');
	return buf;
}

describe('guest record', () => {
	it('accepts only the reversed nonce of this run and the expected kernel release', () => {
		const record = parseGuestRecord(disk('DKV1\n4321dcba\n6.1.0-57-amd64\n'));
		expect(record).toEqual({ transformed: '4321dcba', release: '6.1.0-57-amd64' });
		expect(expectedTransform('abcd1234')).toBe('4321dcba');
		expect(judgeRecord(record, 'abcd1234', '6.1.0-57-amd64')).toEqual({ ok: true });
		expect(judgeRecord(record, 'abcd1235', '6.1.0-57-amd64').ok).toBe(false);
		expect(judgeRecord(record, 'abcd1234', '6.1.0-58-amd64')).toEqual({
			ok: false,
			reason: 'the guest ran kernel 6.1.0-57-amd64, not 6.1.0-58-amd64',
		});
	});

	it('an untouched (all zero) or foreign result disk is no proof', () => {
		expect(parseGuestRecord(Buffer.alloc(4096))).toBeUndefined();
		expect(parseGuestRecord(disk('DKV0\nx\ny\n'))).toBeUndefined();
		expect(judgeRecord(undefined, 'n', 'k').ok).toBe(false);
	});
});
