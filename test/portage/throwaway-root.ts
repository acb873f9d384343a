// A throw-away copy of this machine for real emerge runs: a private mount namespace (`unshare --mount
// --propagation private`), an overlay whose lower dir is `/` and whose upper/work dirs are temporary, /proc /sys
// /dev bound in, then `chroot`. Every write lands in the upper dir; the host's /boot, /lib/modules, /usr/src and
// /var/db are never written. A flow is one bash script run as PID-tree of `unshare --kill-child`: the mounts live
// exactly as long as that process, so nothing leaks when a test fails or the runner dies.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ENTER = `#!/bin/bash
# Runs inside the new mount namespace: overlay of /, bind mounts, chroot into the flow script.
set -euo pipefail
upper=$1 work=$2 merged=$3 script=$4
mount -t overlay dk-portage-root -o "lowerdir=/,upperdir=\${upper},workdir=\${work}" "\${merged}"
for d in proc sys dev; do mount --rbind "/\${d}" "\${merged}/\${d}"; done
mount -t tmpfs -o mode=0755 dk-run "\${merged}/run"
exec chroot "\${merged}" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8 \\
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash "\${script}"
`;

export interface FlowResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	/** stdout and stderr interleaved, as a terminal would show them. */
	output: string;
}

export interface ThrowawayRoot {
	/** Host directory holding upper/, work/, merged/ and logs. */
	dir: string;
	/** Host path of the upper dir: everything the flows wrote. */
	upper: string;
	/** Host path (in the upper dir) of a path inside the root. */
	path(rootPath: string): string;
	write(rootPath: string, content: string, mode?: number): void;
	read(rootPath: string): string;
	exists(rootPath: string): boolean;
	/** Run a bash script inside the root (as root, chrooted); output also saved to <dir>/<name>.log. */
	run(name: string, script: string, options?: { onOutput?: (chunk: string) => void }): Promise<FlowResult>;
	cleanup(): void;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});

function tempBase(): string {
	return process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir();
}

/**
 * Why a throw-away root cannot be built here, or undefined when it can: checks root, unshare, overlayfs over `/`
 * and chroot with a real (tiny) root.
 */
export function whyNoRoot(): string | undefined {
	if (process.getuid?.() !== 0) return `real-Portage flows need root (uid 0) for mount namespaces and overlayfs, running as uid ${process.getuid?.()}`;
	const dir = mkdtempSync(join(tempBase(), 'dk-portage-probe-'));
	try {
		for (const d of ['upper', 'work', 'merged']) mkdirSync(join(dir, d));
		writeFileSync(join(dir, 'upper', 'dk-probe'), 'ok\n');
		const probe = spawnSync(
			'unshare',
			['--mount', '--propagation', 'private', 'sh', '-c',
				`mount -t overlay dk-probe -o lowerdir=/,upperdir=${dir}/upper,workdir=${dir}/work ${dir}/merged && chroot ${dir}/merged /bin/cat /dk-probe`],
			{ encoding: 'utf8' },
		);
		if (probe.error) return `cannot run unshare(1): ${probe.error.message}`;
		if (probe.status !== 0 || probe.stdout.trim() !== 'ok') {
			return `cannot build a throw-away root (unshare --mount + overlayfs over / + chroot): ${(probe.stderr || probe.stdout).trim() || `exit ${probe.status}`}`;
		}
		return undefined;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** A new throw-away root, empty or starting from a state saved by `saveState()`. */
export function createRoot(options: { from?: string; prefix?: string } = {}): ThrowawayRoot {
	const dir = mkdtempSync(join(tempBase(), options.prefix ?? 'dk-portage-'));
	const upper = join(dir, 'upper');
	for (const d of ['work', 'merged']) mkdirSync(join(dir, d));
	if (options.from) {
		// cp -a keeps overlayfs whiteouts (0:0 character devices) and opaque-dir xattrs
		const copy = spawnSync('cp', ['-a', options.from, upper], { encoding: 'utf8' });
		if (copy.status !== 0) throw new Error(`copying the saved root state failed: ${copy.stderr}`);
	} else {
		mkdirSync(upper);
	}
	writeFileSync(join(dir, 'enter.sh'), ENTER, { mode: 0o755 });
	// merged-usr (Debian 12: /lib, /bin, /sbin are links into /usr): writes through them land under usr/ in the upper dir
	const path = (rootPath: string) => join(upper, rootPath.replace(/^\/(lib|bin|sbin)(\/|$)/, '/usr/$1$2'));
	const root: ThrowawayRoot = {
		dir,
		upper,
		path,
		write: (rootPath, content, mode = 0o644) => {
			mkdirSync(dirname(path(rootPath)), { recursive: true });
			writeFileSync(path(rootPath), content);
			chmodSync(path(rootPath), mode);
		},
		read: (rootPath) => readFileSync(path(rootPath), 'utf8'),
		exists: (rootPath) => existsSync(path(rootPath)),
		run: (name, script, runOptions = {}) => {
			const scriptPath = `/dk-flows/${name}.sh`;
			root.write(scriptPath, script, 0o755);
			const log = join(dir, `${name}.log`);
			writeFileSync(log, '');
			return new Promise<FlowResult>((resolve, reject) => {
				const child = spawn(
					'unshare',
					['--mount', '--propagation', 'private', '--kill-child', 'bash', join(dir, 'enter.sh'), upper, join(dir, 'work'), join(dir, 'merged'), scriptPath],
					{ stdio: ['ignore', 'pipe', 'pipe'] },
				);
				live.add(child);
				const chunks: string[] = [];
				const take = (data: Buffer) => {
					const text = data.toString('utf8');
					chunks.push(text);
					writeFileSync(log, text, { flag: 'a' });
					runOptions.onOutput?.(text);
				};
				child.stdout.on('data', take);
				child.stderr.on('data', take);
				child.on('error', (error) => {
					live.delete(child);
					reject(error);
				});
				child.on('close', (code, signal) => {
					live.delete(child);
					resolve({ code, signal, output: chunks.join('') });
				});
			});
		},
		cleanup: () => rmSync(dir, { recursive: true, force: true }),
	};
	return root;
}
