// What every command receives: the root, global flags, one logger, one exec wrapper, config loading.
import { resolve } from 'node:path';
import { type ConfigOverrides, loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { createExec, type Exec } from '../lib/exec';
import { createLogger, type Logger } from '../lib/log';
import { recordTiming } from '../lib/timing';
import { assertSafePath } from '../lib/validate';

export interface GlobalOptions {
	root?: string;
	dryRun?: boolean;
	verbose?: boolean;
}

export interface Context {
	/** Absolute directory every system path is resolved under ('/' on a live system). */
	root: string;
	dryRun: boolean;
	verbose: boolean;
	logger: Logger;
	exec: Exec;
	env: NodeJS.ProcessEnv;
	config(overrides?: ConfigOverrides): Config;
}

export function createContext(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Context {
	const root = resolve(assertSafePath(resolve(options.root ?? '/'), '--root'));
	const verbose = Boolean(options.verbose);
	const dryRun = Boolean(options.dryRun);
	const logger = createLogger({ verbose });
	// from the process's start: node, the bundle's chunks, commander
	recordTiming(`start-up:${process.argv.slice(2).join(',').replace(/\s/g, '_')}`, performance.now(), 0);
	process.once('exit', () => recordTiming('total', performance.now(), 0));
	const exec = createExec({ logger, dryRun, env });
	let cached: Config | undefined;
	return {
		root,
		dryRun,
		verbose,
		logger,
		exec,
		env,
		config: (overrides) => {
			if (overrides && Object.keys(overrides).length > 0) return loadConfig(root, overrides);
			cached ??= loadConfig(root);
			return cached;
		},
	};
}
