// Effective values of shell configuration (dracut.conf, install.conf): bash sources the files exactly as the
// tool itself would, then prints `declare -p`, which parsers/bash-declare.ts reads back. Never regexes.
import { DistKernelError } from '../../lib/errors';
import { type BashValue, parseDeclareOutput } from '../../parsers/bash-declare';
import type { RuntimeContext } from '../context';
import { assertTrusted } from './trust';

// Sourced in a clean environment: positional args are the files, variables are printed after all were read.
// A file's failing last command is ignored, as dracut and kernel-install ignore it.
const SCRIPT = [
	'set +e',
	'__dk_names=$1; shift',
	'for __dk_file in "$@"; do',
	'\t[[ -f ${__dk_file} ]] || continue',
	'\t# shellcheck source=/dev/null',
	'\t. "${__dk_file}" >&2',
	'done',
	'# shellcheck disable=SC2086',
	'declare -p ${__dk_names} 2>/dev/null',
	'exit 0',
].join('\n');

export interface SourcedFile {
	/** Path on disk (under the root). */
	path: string;
	/** The same path as the target system sees it, for messages. */
	shown: string;
}

export async function sourceBashVariables(
	ctx: Pick<RuntimeContext, 'exec'>,
	files: readonly SourcedFile[],
	names: readonly string[],
): Promise<Map<string, BashValue>> {
	for (const file of files) assertTrusted(file.path, file.shown);
	for (const name of names)
		if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
			throw new DistKernelError('bash.name', `invalid variable name: ${name}`);
	const result = await ctx.exec(
		'bash',
		['--norc', '--noprofile', '-c', SCRIPT, 'dist-kernel-source', names.join(' '), ...files.map((f) => f.path)],
		{
			cleanEnv: true,
			env: { LC_ALL: 'C' },
			allowFailure: true,
			timeout: 60_000,
		},
	);
	if (result.exitCode !== 0) {
		throw new DistKernelError(
			'config.shell',
			`reading shell configuration failed: ${files.map((f) => f.shown).join(' ')}`,
			{
				exitCode: 2,
				details: result.stderr,
			},
		);
	}
	return parseDeclareOutput(result.stdout);
}
