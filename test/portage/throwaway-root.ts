// A throw-away copy of this machine for real emerge runs: a private mount namespace (`unshare --mount
// --propagation private`), an overlay whose lowest layer is `/` and whose upper/work dirs are temporary, /proc /sys
// /dev bound in, then `chroot`. Every write lands in the upper dir; the host's /boot, /lib/modules, /usr/src and
// /var/db are never written. A flow is one bash script run as PID-tree of `unshare --kill-child`: the mounts live
// exactly as long as that process, so nothing leaks when a test fails or the runner dies.
//
// The paths a kernel install reads or runs are declared, not inherited (declared-root.ts): two layers over the rest
// replace this machine's /etc/kernel, /boot, dracut configuration… with a Gentoo-like state. Between them and `/`
// lies a "foreign host" layer (foreign-host.ts) holding Debian-style kernel hooks and configuration that must never
// be seen: lowerdir=declared:masks:foreign:/. Overlayfs refuses lower layers nested in another lower layer (`/`), so
// the layers are copied into a tmpfs inside the namespace first.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { layerPath, writeDeclaredLayers } from './declared-root';
import { foreignFiles, foreignTraces } from './foreign-host';

const ENTER = `#!/bin/bash
# Runs inside the new mount namespace: the lower layers into a tmpfs, overlay of /, bind mounts, chroot into the flow
# script. Arguments: the root's directory, the flow script (a path inside the root), the lower layers (top first).
set -euo pipefail
dir=$1 script=$2
shift 2
mount -t tmpfs -o mode=0700 dk-layers "\${dir}/layers"
lower=
for layer in "$@"; do
	cp -a "\${dir}/layer-src/\${layer}" "\${dir}/layers/\${layer}"
	lower+="\${dir}/layers/\${layer}:"
done
mount -t overlay dk-portage-root -o "lowerdir=\${lower}/,upperdir=\${dir}/upper,workdir=\${dir}/work" "\${dir}/merged"
for d in proc sys dev; do mount --rbind "/\${d}" "\${dir}/merged/\${d}"; done
mount -t tmpfs -o mode=0755 dk-run "\${dir}/merged/run"
exec chroot "\${dir}/merged" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8 \\
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash "\${script}"
`;

export interface FlowResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	/** stdout and stderr interleaved, as a terminal would show them. */
	output: string;
}

export interface ThrowawayRoot {
	/** Host directory holding upper/, work/, merged/, the lower layers' sources and logs. */
	dir: string;
	/** Host path of the upper dir: everything the flows wrote. */
	upper: string;
	/** The lower layers above `/`, top first (sources in <dir>/layer-src). */
	layers: string[];
	/** Host path (in the upper dir) of a path inside the root. */
	path(rootPath: string): string;
	write(rootPath: string, content: string, mode?: number): void;
	read(rootPath: string): string;
	exists(rootPath: string): boolean;
	/** Run a bash script inside the root (as root, chrooted); output also saved to <dir>/<name>.log. */
	run(name: string, script: string, options?: { onOutput?: (chunk: string) => void }): Promise<FlowResult>;
	/** What the root's flows left that only a foreign host file could have (foreign-host.ts); empty when none. */
	foreignTraces(): string[];
	cleanup(): void;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});

function tempBase(): string {
	return process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir();
}

/** Directories of the layers keep the host's usual mode whatever the umask: an overlay shows the topmost one's. */
function normaliseDirModes(dir: string): void {
	const found = spawnSync('find', [dir, '-type', 'd', '-exec', 'chmod', '0755', '{}', '+'], { encoding: 'utf8' });
	if (found.status !== 0) throw new Error(`cannot set the layer directories' modes: ${found.stderr}`);
}

/** Writes the lower layers' sources under <dir>/layer-src; returns their names, top first. */
function writeLayers(dir: string, declared: boolean, foreign: boolean): string[] {
	const src = join(dir, 'layer-src');
	const layers = [...(declared ? ['declared', 'masks'] : []), ...(foreign ? ['foreign'] : [])];
	for (const layer of layers) mkdirSync(join(src, layer), { recursive: true });
	if (declared) writeDeclaredLayers(join(src, 'masks'), join(src, 'declared'));
	if (foreign) {
		for (const [rootPath, [content, mode]] of Object.entries(foreignFiles())) {
			const file = join(src, 'foreign', layerPath(rootPath));
			mkdirSync(dirname(file), { recursive: true });
			writeFileSync(file, content);
			chmodSync(file, mode);
		}
	}
	normaliseDirModes(src);
	return layers;
}

function enterArgs(dir: string, scriptPath: string, layers: string[]): string[] {
	return [
		'--mount',
		'--propagation',
		'private',
		'--kill-child',
		'bash',
		join(dir, 'enter.sh'),
		dir,
		scriptPath,
		...layers,
	];
}

/**
 * Why a throw-away root cannot be built here, or undefined when it can: checks root, unshare, overlayfs over `/`
 * with the declared and foreign layers, and chroot with a real (tiny) root.
 */
export function whyNoRoot(): string | undefined {
	if (process.getuid?.() !== 0)
		return `real-Portage flows need root (uid 0) for mount namespaces and overlayfs, running as uid ${process.getuid?.()}`;
	let probe: ThrowawayRoot | undefined;
	try {
		probe = createRoot({ prefix: 'dk-portage-probe-' });
		probe.write(
			'/dk-probe.sh',
			'[[ -d /etc/kernel/postinst.d && ! -e /etc/kernel/postinst.d/dracut && ! -e /efi ]] && echo ok\n',
			0o755,
		);
		const result = spawnSync('unshare', enterArgs(probe.dir, '/dk-probe.sh', probe.layers), { encoding: 'utf8' });
		if (result.error) return `cannot run unshare(1): ${result.error.message}`;
		if (result.status !== 0 || result.stdout.trim() !== 'ok') {
			return `cannot build a throw-away root (unshare --mount + overlayfs over / with declared layers + chroot): ${(result.stderr || result.stdout).trim() || `exit ${result.status}`}`;
		}
		return undefined;
	} catch (error) {
		return `cannot build a throw-away root: ${(error as Error).message}`;
	} finally {
		probe?.cleanup();
	}
}

/**
 * A new throw-away root, empty or starting from a state saved by `saveState()`. The foreign host layer is there by
 * default, so that every flow shows none of it leaks in; `declared: false` leaves the declared layers out (only
 * for showing that the foreign layer is live).
 */
export function createRoot(
	options: { from?: string; prefix?: string; declared?: boolean; foreign?: boolean } = {},
): ThrowawayRoot {
	const dir = mkdtempSync(join(tempBase(), options.prefix ?? 'dk-portage-'));
	const upper = join(dir, 'upper');
	for (const d of ['work', 'merged', 'layers']) mkdirSync(join(dir, d));
	if (options.from) {
		// cp -a keeps overlayfs whiteouts (0:0 character devices) and opaque-dir xattrs
		const copy = spawnSync('cp', ['-a', options.from, upper], { encoding: 'utf8' });
		if (copy.status !== 0) throw new Error(`copying the saved root state failed: ${copy.stderr}`);
	} else {
		mkdirSync(upper);
	}
	const layers = writeLayers(dir, options.declared ?? true, options.foreign ?? true);
	writeFileSync(join(dir, 'enter.sh'), ENTER, { mode: 0o755 });
	// merged-usr (Debian 12: /lib, /bin, /sbin are links into /usr): writes through them land under usr/ in the upper dir
	const path = (rootPath: string) => join(upper, layerPath(rootPath));
	const root: ThrowawayRoot = {
		dir,
		upper,
		layers,
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
				const child = spawn('unshare', enterArgs(dir, scriptPath, layers), { stdio: ['ignore', 'pipe', 'pipe'] });
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
		foreignTraces: () => foreignTraces(path),
		cleanup: () => rmSync(dir, { recursive: true, force: true }),
	};
	return root;
}
