// Reading a file that may be absent: the one helper for "its text, or undefined".
import { readFileSync } from 'node:fs';

/**
 * The file's text, or undefined when it cannot be read. With `{ only: 'missing' }`, only a file that does not
 * exist gives undefined; any other failure (permissions, a directory) is thrown.
 */
export function readTextOrUndefined(path: string, options: { only?: 'missing' } = {}): string | undefined {
	try {
		return readFileSync(path, 'utf8');
	} catch (error) {
		if (options.only === 'missing' && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		return undefined;
	}
}
