// One error base for the whole program: callers switch on `code`, never on message text.
import type { ErrorCode } from './error-codes';

export type { ErrorCode } from './error-codes';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** kernel-install(8): a plugin exiting 77 stops the chain without failing it. */
export const EXIT_SKIP_REST = 77;

export interface DistKernelErrorOptions {
	/** Process exit code the top-level catch maps this error to (default 1). */
	exitCode?: number;
	/** One line telling the admin what to do about it. */
	hint?: string;
	/** Extra detail lines printed under the first line (stderr tail, zod issues…). */
	details?: string;
	cause?: unknown;
}

/**
 * Every expected failure. `code` is one of ERROR_CODES (error-codes.ts): 'config.invalid', 'exec.failed'…
 * The message's first line reads "what failed: object".
 */
export class DistKernelError extends Error {
	readonly code: ErrorCode;
	readonly exitCode: number;
	readonly hint: string | undefined;
	readonly details: string | undefined;

	constructor(code: ErrorCode, message: string, options: DistKernelErrorOptions = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.name = 'DistKernelError';
		this.code = code;
		this.exitCode = options.exitCode ?? EXIT_FAILED;
		this.hint = options.hint;
		this.details = options.details;
	}
}

/** Bad command line or configuration: exit 2. */
export function usageError(code: ErrorCode, message: string, options: Omit<DistKernelErrorOptions, 'exitCode'> = {}) {
	return new DistKernelError(code, message, { ...options, exitCode: EXIT_USAGE });
}

/** Something that cannot happen unless dist-kernel itself is wrong. */
export class InternalError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(`internal error (a bug in dist-kernel): ${message}`, options);
		this.name = 'InternalError';
	}
}

export function isDistKernelError(error: unknown, code?: ErrorCode): error is DistKernelError {
	return error instanceof DistKernelError && (code === undefined || error.code === code);
}

/** Text shown for an error by a top-level catch. */
export function formatError(error: unknown): string {
	if (error instanceof DistKernelError) {
		const lines = [error.message];
		if (error.details) lines.push(error.details.replace(/\n+$/, ''));
		if (error.hint) lines.push(`hint: ${error.hint}`);
		return lines.join('\n');
	}
	if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`;
	return String(error);
}
