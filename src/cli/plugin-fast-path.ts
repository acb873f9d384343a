// `dist-kernel [--root DIR] [--dry-run] [-v] plugin dist-kernel add|remove KV ENTRY_DIR …` calls that build
// nothing (remove; add when our pipeline already built the image, an initrd was given, another generator is set)
// are answered from here, before the command-line program (commander, zod, execa, the runtime) is loaded: they run
// in every kernel-install and emerge phase. Anything this parser is unsure of goes to the full program, which
// decides the same way (runtime/features/install/plugin-decision.ts).
import { resolve } from 'node:path';
import { createLogger } from '../lib/log';
import { assertSafePath } from '../lib/validate';
import { decidePluginNoOp, pluginVerbose } from '../runtime/features/install/plugin-decision';

interface PluginCall {
	root: string;
	verbose: boolean;
	positional: string[];
}

/** Only the global flags every hook passes; any other flag (--help, unknown, `--`) means "not sure". */
export function parsePluginCall(args: readonly string[]): PluginCall | undefined {
	let root = '/';
	let verbose = false;
	let i = 0;
	for (; i < args.length; i++) {
		const arg = args[i]!;
		if (arg === '--root' && i + 1 < args.length) root = args[++i]!;
		else if (arg.startsWith('--root=')) root = arg.slice('--root='.length);
		else if (arg === '--dry-run') continue;
		else if (arg === '-v' || arg === '--verbose') verbose = true;
		else break;
	}
	if (args[i] !== 'plugin') return undefined;
	const positional = args.slice(i + 1);
	if (positional.length < 4 || positional.some((a) => a.startsWith('-'))) return undefined;
	return { root, verbose, positional };
}

/** The exit code when the call builds nothing, else undefined (the full program handles it). Throws typed errors. */
export function answerPluginNoOp(args: readonly string[], env: NodeJS.ProcessEnv): number | undefined {
	const call = parsePluginCall(args);
	if (!call) return undefined;
	// The same check as the full program's context (cli/context.ts) applies to --root.
	assertSafePath(resolve(call.root), '--root');
	const [name, command, kv, entryDir, image, ...initrds] = call.positional as [
		string,
		string,
		string,
		string,
		...string[],
	];
	const outcome = decidePluginNoOp({ name, command, kv, entryDir, image, initrds }, env);
	if (!outcome) return undefined;
	const verbose = pluginVerbose(call.verbose, env);
	if (verbose) createLogger({ verbose }).info(`dist-kernel plugin: ${outcome.action}`);
	return outcome.exitCode;
}
