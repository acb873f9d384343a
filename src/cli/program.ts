// Builds the commander program: global flags once, each command from its own file.
import { Command, Option } from 'commander';
import { type CommandAction, commandInput } from './command-module';
import { commands } from './commands/index';
import { createContext, type GlobalOptions } from './context';
import { VERSION } from './version';

export function buildProgram(setExitCode: (code: number) => void): Command {
	const program = new Command('dist-kernel')
		.description('Distribution Kernel for Gentoo: overlay generator and kernel install runtime')
		.version(VERSION)
		.addOption(new Option('--root <dir>', 'resolve every system path under DIR').default('/'))
		.option('--dry-run', 'print every file and command, change nothing')
		.option('-v, --verbose', 'show commands and their output')
		.exitOverride()
		.showHelpAfterError()
		.configureOutput({ writeErr: (s) => process.stderr.write(s) });

	const run =
		(action: CommandAction) =>
		async (...args: unknown[]): Promise<void> => {
			const global = program.opts<GlobalOptions>();
			const code = await action(createContext(global), commandInput(args));
			if (typeof code === 'number') setExitCode(code);
		};

	for (const command of commands) command.register(program, run);
	for (const sub of program.commands) sub.exitOverride();
	return program;
}
