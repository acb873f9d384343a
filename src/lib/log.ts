// Portage's idiom: " * text" lines on stderr, colour only on a TTY without NOCOLOR/NO_COLOR.
// Messages the admin must see are also appended to $DIST_KERNEL_ELOG ("LEVEL<TAB>text" lines) so the
// eclass can relay them with elog/ewarn into emerge's summary.
import { appendFileSync } from 'node:fs';

export type Level = 'info' | 'log' | 'warn' | 'error';

export interface Logger {
	info(text: string): void;
	/** Important: reaches the elog summary. */
	log(text: string): void;
	warn(text: string): void;
	error(text: string): void;
	/** Only with --verbose. */
	debug(text: string): void;
	/** Start a timed step; the returned function ends it with ok/failed and the elapsed time. */
	begin(text: string): (ok?: boolean) => void;
	readonly verbose: boolean;
}

export interface LoggerOptions {
	verbose?: boolean;
	/** Where lines go (default: process.stderr). */
	write?: (line: string) => void;
	color?: boolean;
	/** File receiving relay lines for the eclass (default: $DIST_KERNEL_ELOG). */
	relayFile?: string | undefined;
	/** Monotonic clock in ms, injectable for tests. */
	now?: () => number;
}

const COLORS: Record<Level | 'debug', string> = {
	info: '\x1b[32;01m',
	log: '\x1b[32;01m',
	warn: '\x1b[33;01m',
	error: '\x1b[31;01m',
	debug: '\x1b[34;01m',
};
const RELAY_LEVEL: Record<Level, string> = { info: 'INFO', log: 'LOG', warn: 'WARN', error: 'ERROR' };

export function wantsColor(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stderr.isTTY)): boolean {
	if (env['NO_COLOR'] !== undefined || env['NOCOLOR'] === 'true' || env['NOCOLOR'] === 'yes') return false;
	return isTTY;
}

export function createLogger(options: LoggerOptions = {}): Logger {
	const write = options.write ?? ((line: string) => void process.stderr.write(line));
	const color = options.color ?? wantsColor();
	const verbose = options.verbose ?? false;
	const relayFile = 'relayFile' in options ? options.relayFile : process.env['DIST_KERNEL_ELOG'];
	const now = options.now ?? (() => performance.now());

	const emit = (level: Level | 'debug', text: string) => {
		const star = color ? `${COLORS[level]}*\x1b[0m` : '*';
		for (const line of text.split('\n')) write(` ${star} ${line}\n`);
	};
	const relay = (level: Level, text: string) => {
		if (!relayFile) return;
		try {
			appendFileSync(
				relayFile,
				text
					.split('\n')
					.map((l) => `${RELAY_LEVEL[level]}\t${l}\n`)
					.join(''),
			);
		} catch {
			// The relay is best effort: the message was already printed.
		}
	};

	return {
		verbose,
		info: (text) => emit('info', text),
		log: (text) => {
			emit('log', text);
			relay('log', text);
		},
		warn: (text) => {
			emit('warn', text);
			relay('warn', text);
		},
		error: (text) => {
			emit('error', text);
			relay('error', text);
		},
		debug: (text) => {
			if (verbose) emit('debug', text);
		},
		begin: (text) => {
			const started = now();
			emit('info', `${text} ...`);
			return (ok = true) => {
				const seconds = ((now() - started) / 1000).toFixed(1);
				emit(ok ? 'info' : 'error', `${text}: ${ok ? 'ok' : 'failed'} (${seconds} s)`);
			};
		},
	};
}

/** A logger that keeps lines in memory, for tests. */
export function createMemoryLogger(verbose = false): Logger & { lines: string[] } {
	const lines: string[] = [];
	const logger = createLogger({
		verbose,
		color: false,
		relayFile: undefined,
		write: (l) => void lines.push(l.trimEnd()),
	});
	return Object.assign(logger, { lines });
}
