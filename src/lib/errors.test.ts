import { describe, expect, it } from 'vitest';
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
		expect(new DistKernelError('x.y', 'm').exitCode).toBe(1);
	});
});
