import { describe, expect, it } from 'vitest';
import { isErrorCode } from './error-codes';
import { DistKernelError, formatError, isDistKernelError, usageError } from './errors';

describe('errors', () => {
	it('carries a code, an exit code and a hint', () => {
		const error = usageError('config.invalid', 'invalid configuration: /etc/x', { hint: 'fix it', details: '  a: b' });
		expect(error.exitCode).toBe(2);
		expect(isDistKernelError(error, 'config.invalid')).toBe(true);
		expect(isDistKernelError(error, 'exec.failed')).toBe(false);
		expect(formatError(error)).toBe('invalid configuration: /etc/x\n  a: b\nhint: fix it');
	});
	it('defaults to exit code 1', () => {
		expect(new DistKernelError('exec.failed', 'm').exitCode).toBe(1);
	});
	it('accepts only the codes of ERROR_CODES (a typo does not compile)', () => {
		// @ts-expect-error: not a code
		const typo = new DistKernelError('exec.not-fuond', 'm');
		expect(isErrorCode(typo.code)).toBe(false);
		// @ts-expect-error: not a code
		expect(isDistKernelError(typo, 'exec.not-fuond')).toBe(true);
		expect(isErrorCode('exec.not-found')).toBe(true);
	});
});
