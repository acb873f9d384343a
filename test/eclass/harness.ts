// Runs the overlay's eclasses in real bash under test/shim/pms-shim.bash.
// The templates are static bash, so they are copied as-is into <tmp>/eclass/NAME.eclass.
import { execFile } from 'node:child_process';
import {
	chmodSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const TEMPLATE_DIR = join(REPO, 'templates', 'overlay', 'eclass');
export const SHIM = join(REPO, 'test', 'shim', 'pms-shim.bash');
export const STAND_INS = join(REPO, 'test', 'shim', 'eclass');
/**
 * Gentoo's own eclasses (../shared/vendor, a test input) for what ours inherit from ::gentoo and the stand-ins do not
 * cover: mount-boot-utils (the /boot-mounted check), eapi9-pipestatus. Searched after the stand-ins.
 */
export const GENTOO_ECLASSES = join(REPO, '..', 'shared', 'vendor', 'gentoo-eclasses');
export const MODULE_FIXTURE = join(REPO, 'test', 'fixtures', 'module-src');

export const ECLASSES = ['dist-kernel-utils', 'kernel-install', 'linux-mod-r1'] as const;

export interface Message {
	level: string;
	text: string;
}

export interface ShimResult {
	code: number;
	stdout: string;
	stderr: string;
	messages: Message[];
	/** Messages of one level, e.g. 'WARN'. */
	texts(level: string): string[];
	/** argv of each fake runtime call. */
	runtimeCalls: string[][];
}

export interface Sandbox {
	dir: string;
	eclassDir: string;
	T: string;
	D: string;
	/** A temp root used as EPREFIX, so EROOT points here while ROOT stays empty. */
	prefix: string;
	fakeRuntime: string;
	runtimeLog: string;
	cleanup(): void;
	run(script: string, options?: RunOptions): Promise<ShimResult>;
}

export interface RunOptions {
	env?: Record<string, string>;
	cwd?: string;
}

const FAKE_RUNTIME = `#!/usr/bin/env bash
# Fake dist-kernel runtime: records its argv, logs like the real one, exits as told.
{ printf '%s\\x1f' "$@"; printf '\\n'; } >> "\${FAKE_RUNTIME_LOG:?}"
if [[ -n \${DIST_KERNEL_ELOG} ]]; then
	printf 'WARN\\tfake runtime warning for %s\\n' "$1" >> "\${DIST_KERNEL_ELOG}"
	printf 'LOG\\tfake runtime did %s %s\\n' "$1" "$2" >> "\${DIST_KERNEL_ELOG}"
	printf 'ERROR\\tfake runtime error line\\n' >> "\${DIST_KERNEL_ELOG}"
fi
exit "\${FAKE_RUNTIME_EXIT:-0}"
`;

/** Copies the eclass templates into a fresh sandbox (the generator's output for these is the template itself). */
export function makeSandbox(): Sandbox {
	const dir = mkdtempSync(join(process.env['DIST_KERNEL_TEST_TMP'] ?? tmpdir(), 'dk-eclass-'));
	const eclassDir = join(dir, 'eclass');
	mkdirSync(eclassDir);
	for (const name of ECLASSES)
		copyFileSync(join(TEMPLATE_DIR, `${name}.eclass.hbs`), join(eclassDir, `${name}.eclass`));
	const T = join(dir, 'T');
	const D = join(dir, 'image');
	const prefix = join(dir, 'root');
	mkdirSync(T);
	mkdirSync(prefix);
	const fakeRuntime = join(dir, 'fake-dist-kernel');
	writeFileSync(fakeRuntime, FAKE_RUNTIME);
	chmodSync(fakeRuntime, 0o755);
	const runtimeLog = join(dir, 'runtime-calls.log');

	const sandbox: Sandbox = {
		dir,
		eclassDir,
		T,
		D,
		prefix,
		fakeRuntime,
		runtimeLog,
		cleanup: () => rmSync(dir, { recursive: true, force: true }),
		run: (script, options = {}) => runScript(sandbox, script, options),
	};
	return sandbox;
}

function readRuntimeCalls(log: string): string[][] {
	if (!existsSync(log)) return [];
	return readFileSync(log, 'utf8')
		.split('\n')
		.filter((line) => line.length > 0)
		.map((line) => line.split('\x1f').slice(0, -1));
}

function readMessages(T: string): Message[] {
	const file = join(T, 'shim-messages.log');
	if (!existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.length > 0)
		.map((line) => {
			const tab = line.indexOf('\t');
			return { level: line.slice(0, tab), text: line.slice(tab + 1) };
		});
}

function runScript(sandbox: Sandbox, script: string, options: RunOptions): Promise<ShimResult> {
	// fresh logs per run, so each result only shows its own messages and calls
	rmSync(join(sandbox.T, 'shim-messages.log'), { force: true });
	rmSync(sandbox.runtimeLog, { force: true });
	const full = [
		`source ${JSON.stringify(SHIM)}`,
		'EAPI=8 CATEGORY=sys-kernel PN=test-pkg PV=1.0 PVR=1.0 PF=test-pkg-1.0 P=test-pkg-1.0 SLOT=0',
		script,
	].join('\n');
	const env: NodeJS.ProcessEnv = {
		PATH: process.env['PATH'],
		HOME: sandbox.dir,
		LC_ALL: 'C',
		T: sandbox.T,
		D: sandbox.D,
		WORKDIR: join(sandbox.dir, 'work'),
		EPREFIX: sandbox.prefix,
		ROOT: '',
		SHIM_ECLASSDIRS: `${sandbox.eclassDir}:${STAND_INS}:${GENTOO_ECLASSES}`,
		DIST_KERNEL_RUNTIME: sandbox.fakeRuntime,
		FAKE_RUNTIME_LOG: sandbox.runtimeLog,
		MAKEOPTS: '-j2',
		USE: '',
		...options.env,
	};
	return new Promise((resolvePromise) => {
		execFile(
			'bash',
			['-c', full],
			{ env, cwd: options.cwd ?? sandbox.dir, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				const messages = readMessages(sandbox.T);
				resolvePromise({
					code,
					stdout: String(stdout),
					stderr: String(stderr),
					messages,
					texts: (level) => messages.filter((m) => m.level === level).map((m) => m.text),
					runtimeCalls: readRuntimeCalls(sandbox.runtimeLog),
				});
			},
		);
	});
}

/** Debian's kernel build tree (linux-headers-*-amd64), reached read-only through /lib/modules/KV/build. */
export function debianHeaders(): { kv: string; build: string } {
	for (const kv of readdirSync('/lib/modules')) {
		const build = join('/lib/modules', kv, 'build');
		if (existsSync(join(build, 'Module.symvers'))) return { kv, build };
	}
	throw new Error('no kernel headers: install linux-headers-amd64 (see .ci/install-deps)');
}

/** A shell-safe single-quoted word. */
export function q(value: string): string {
	return `'${value.replaceAll("'", "'\\''")}'`;
}
