// One QEMU run, watched on its serial console as the output arrives. The kernel's banner ("Linux version …") is
// what tells "this machine runs the guest's kernel" from "this machine could not run the guest": a run that shows
// no banner (or nothing at all) within its deadline is stopped, never waited for until verify-timeout.
import { isDistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';
import { QEMU_PROGRAM } from './firmware';

/** The first line Linux prints (printk of linux_banner), on any console it was given. */
export const KERNEL_BANNER = /Linux version \d/;

export interface GuestWatch {
	/** Stop the guest when the kernel's banner has not appeared within these milliseconds. */
	bannerWithinMs?: number | undefined;
	/** Stop the guest when nothing at all has appeared on its console within these milliseconds. */
	outputWithinMs?: number | undefined;
	/** Stop the guest as soon as the banner appears (the accelerator probe needs nothing more). */
	stopAtBanner?: boolean;
	/** The whole run. */
	timeoutMs: number;
	/** Stop the guest when this returns a reason for the console so far (a firmware that refused the image). */
	stopOn?: ((recent: string) => string | undefined) | undefined;
}

export type GuestEnd =
	/** QEMU ended by itself (the guest powered off, rebooted under -no-reboot, or QEMU gave up). */
	| { end: 'exited'; exitCode: number }
	| { end: 'banner' }
	| { end: 'silent'; afterMs: number; missing: 'banner' | 'output' }
	| { end: 'timeout' }
	/** `stopOn` matched. */
	| { end: 'stopped'; why: string }
	/** QEMU was killed by a signal (the OOM killer…) or could not be run. */
	| { end: 'qemu-failed'; message: string };

export interface GuestRun {
	result: GuestEnd;
	/** The kernel's banner appeared on the console. */
	banner: boolean;
	/** Anything appeared on the console (firmware, the kernel's setup code…). */
	output: boolean;
	/** The console's last line before the end, for the report. */
	lastLine: string;
	stderr: string;
}

function firstLine(text: string | undefined): string {
	return text?.trim().split('\n')[0]?.trim() ?? '';
}

export async function runGuest(
	ctx: Pick<RuntimeContext, 'exec'>,
	args: string[],
	watch: GuestWatch,
): Promise<GuestRun> {
	const controller = new AbortController();
	let recent = '';
	let banner = false;
	let output = false;
	let stopped: GuestEnd | undefined;
	const stop = (end: GuestEnd) => {
		if (stopped) return;
		stopped = end;
		controller.abort();
	};
	const timers: NodeJS.Timeout[] = [];
	if (watch.bannerWithinMs !== undefined) {
		const ms = watch.bannerWithinMs;
		timers.push(
			setTimeout(() => banner || stop({ end: 'silent', afterMs: ms, missing: output ? 'banner' : 'output' }), ms),
		);
	}
	if (watch.outputWithinMs !== undefined) {
		const ms = watch.outputWithinMs;
		timers.push(setTimeout(() => output || stop({ end: 'silent', afterMs: ms, missing: 'output' }), ms));
	}
	const onOutput = (text: string) => {
		if (text.length === 0) return;
		output = true;
		recent = (recent + text).slice(-4096);
		const why = watch.stopOn?.(recent);
		if (why !== undefined) stop({ end: 'stopped', why });
		if (!banner && KERNEL_BANNER.test(recent)) {
			banner = true;
			if (watch.stopAtBanner) stop({ end: 'banner' });
		}
	};
	const lastLine = () =>
		recent
			.split(/\r?\n/)
			.map((l) => l.trim())
			.filter(Boolean)
			.at(-1) ?? '';
	try {
		const run = await ctx.exec(QEMU_PROGRAM, args, {
			allowFailure: true,
			timeout: watch.timeoutMs,
			show: false,
			onOutput,
			signal: controller.signal,
		});
		// QEMU ends on SIGTERM with status 0 ("terminating on signal 15"), so a stopped run can come back as a normal exit.
		if (stopped) return { result: stopped, banner, output, lastLine: lastLine(), stderr: run.stderr };
		return {
			result: { end: 'exited', exitCode: run.exitCode },
			banner,
			output,
			lastLine: lastLine(),
			stderr: run.stderr,
		};
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		const stderr = error.details ?? '';
		if (error.code === 'exec.canceled' && stopped)
			return { result: stopped, banner, output, lastLine: lastLine(), stderr };
		if (error.code === 'exec.timeout')
			return { result: { end: 'timeout' }, banner, output, lastLine: lastLine(), stderr };
		if (error.code === 'exec.failed')
			return {
				result: { end: 'qemu-failed', message: firstLine(stderr) || error.message },
				banner,
				output,
				lastLine: lastLine(),
				stderr,
			};
		throw error;
	} finally {
		for (const timer of timers) clearTimeout(timer);
	}
}
