// A RuntimeContext over a temp root for in-process runtime tests: real exec wrapper, memory logger.
import { type Config, configSchema } from '../../src/config/schema';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import type { RuntimeContext } from '../../src/runtime/context';

export function runtimeContext(
	root: string,
	options: { dryRun?: boolean; config?: Partial<Config>; env?: NodeJS.ProcessEnv } = {},
): RuntimeContext & { lines: string[] } {
	const logger = createMemoryLogger();
	const env = options.env ?? process.env;
	return {
		root,
		dryRun: options.dryRun ?? false,
		verbose: false,
		logger,
		exec: createExec({ logger, dryRun: options.dryRun ?? false, env }),
		env,
		config: configSchema.parse(options.config ?? {}),
		lines: logger.lines,
	};
}
