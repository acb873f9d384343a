import { describe, expect, it } from 'vitest';
import { countSignatures } from './sbverify-list';

describe('countSignatures', () => {
	it('counts the signature headers of sbverify --list', () => {
		const two =
			'signature 1\nimage signature issuers:\n - /CN=t\nimage signature certificates:\n - subject: /CN=t\n   issuer:  /CN=t\nsignature 2\nimage signature issuers:\n - /CN=u\n';
		expect(countSignatures(two)).toBe(2);
		expect(countSignatures('')).toBe(0);
	});
	it('ignores subjects that merely contain the word', () => {
		expect(countSignatures('signature 1\n - subject: /CN=signature 2\n')).toBe(1);
	});
});
