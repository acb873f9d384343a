// What every runtime function receives. Built from the CLI Context (or directly in tests); carries no generator.
import type { Config } from '../config/schema';
import type { Exec } from '../lib/exec';
import type { Logger } from '../lib/log';
import { underRoot } from '../lib/root';

export interface RuntimeContext {
	/** Absolute directory every system path is resolved under ('/' on a live system). */
	root: string;
	dryRun: boolean;
	verbose: boolean;
	logger: Logger;
	exec: Exec;
	env: NodeJS.ProcessEnv;
	config: Config;
}

/** Anything shaped like the CLI Context: the same fields, with configuration loaded on demand. */
export type ContextLike = Omit<RuntimeContext, 'config'> & { config(): Config };

export function createRuntimeContext(context: ContextLike): RuntimeContext {
	return {
		root: context.root,
		dryRun: context.dryRun,
		verbose: context.verbose,
		logger: context.logger,
		exec: context.exec,
		env: context.env,
		config: context.config(),
	};
}

/** A system path ("/boot") under the context's root. */
export function systemPath(ctx: Pick<RuntimeContext, 'root'>, path: string): string {
	return underRoot(ctx.root, path);
}

/** True when operating on the running system rather than a --root tree. */
export function isLiveRoot(ctx: Pick<RuntimeContext, 'root'>): boolean {
	return ctx.root === '/';
}
