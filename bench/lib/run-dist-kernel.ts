// Runs the bundled program against a target root as a separate process, as the eclasses and plugins do.
import { type ProcessResult, type RunOptions, runProcess } from './run-process';

export interface DistKernelRun {
	bin: string;
	root: string;
	args: readonly string[];
	env?: NodeJS.ProcessEnv;
	/** Directory put first on PATH (stand-in or counting tools). */
	pathPrefix?: string;
}

export function distKernelEnv(run: Pick<DistKernelRun, 'env' | 'pathPrefix'>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...run.env };
	for (const key of ['DIST_KERNEL_KILL_AT', 'DIST_KERNEL_KILL_DELAY_MS', 'DIST_KERNEL_CHECKPOINT_TRACE']) {
		if (run.env?.[key] === undefined) delete env[key];
	}
	if (run.pathPrefix) env['PATH'] = `${run.pathPrefix}:${env['PATH'] ?? '/usr/bin:/bin'}`;
	return env;
}

export function runDistKernel(run: DistKernelRun, options: Omit<RunOptions, 'env'> = {}): Promise<ProcessResult> {
	return runProcess(process.execPath, [run.bin, '--root', run.root, ...run.args], {
		...options,
		env: distKernelEnv(run),
	});
}

/** Last lines of a run's output, for a failure note; stack frames are left out so the message itself shows. */
export function outputTail(result: ProcessResult, lines = 3): string {
	return `${result.stderr}${result.stdout}`
		.trim()
		.split('\n')
		.filter((line) => !/^\s+at /.test(line))
		.slice(-lines)
		.join(' ⏎ ');
}
