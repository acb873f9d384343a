// The prepared root every real-Portage test file starts from: a Portage root (portage-root.ts) after
// `dist-kernel setup --eclass-overrides`, `emerge sys-kernel/dist-kernel-runtime` and USE=dist-kernel for every
// package. Building it takes a minute of real emerge; it is built once per set of inputs and kept in
// .cache/portage-prepared/<key>/upper, the key a hash of everything it is made from: the vendored Portage, the kernel
// distfiles, the stand-in ::gentoo, the test bundle (the runtime package ships it), the harness sources and the
// host's installed Debian packages (the root's lower layer). Parallel vitest workers take a lock file: one builds,
// the others wait for it and then copy. Every caller gets its own fork (a copy of the saved upper dir). Two states
// are saved the same way on top of it, each an emerge that several files would otherwise repeat: the state after
// flow 1 (the first kernel, hello-kmod and the three initramfs module packages: the upgrade flows) and the first
// kernel with two initramfs module packages (recovery.test.ts, guard-removal-triggers.test.ts).
import { spawnSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { acquireLock } from '../../src/lib/lock';
import { CACHE_DIR } from '../helpers/debian-kernel';
import { runFlow } from './flow-helpers';
import { type KernelRelease, kernelReleases } from './kernel-distfiles';
import { createPortageRoot, type PortageRoot, testBundle, withDracut } from './portage-root';
import { portageTree } from './portage-tree';
import { HELLO, INITRAMFS_MODULES, standInGentoo } from './stand-in-gentoo';
import { createRoot } from './throwaway-root';

export const PREPARED_DIR = join(CACHE_DIR, 'portage-prepared');
/** Prepared roots of other inputs kept beside the current one (other checkouts' states, an earlier commit). */
const KEEP = 6;

/** What the prepared root runs after createPortageRoot (the flow is named `prepare`). */
export const PREPARE_SCRIPT = [
	'node "${DK_BUNDLE}" setup --eclass-overrides',
	'emerge --quiet-build=y sys-kernel/dist-kernel-runtime',
	'mkdir -p /etc/portage/package.use',
	"echo '*/* dist-kernel' > /etc/portage/package.use/dist-kernel",
].join('\n');

/** The harness files whose code shapes the prepared root: every helper of test/portage (not the test files). */
function harnessFiles(): string[] {
	return readdirSync(import.meta.dirname)
		.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
		.sort()
		.map((f) => join(import.meta.dirname, f));
}

function hashTree(hash: Hash, dir: string): void {
	for (const name of readdirSync(dir).sort()) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) hashTree(hash, path);
		else hash.update(`${name}\0`).update(readFileSync(path)).update('\0');
	}
}

/** Hash of every input of the prepared root. */
export async function preparedRootKey(): Promise<string> {
	const [tree, kernels] = await Promise.all([portageTree(), kernelReleases()]);
	const hash = createHash('sha256');
	hash.update(`portage ${basename(tree)}\nkernels ${JSON.stringify(kernels)}\nprepare ${PREPARE_SCRIPT}\n`);
	const gentoo = await standInGentoo({ kernels });
	for (const path of Object.keys(gentoo).sort()) hash.update(`${path}\0${gentoo[path]}\0`);
	const bundle = testBundle();
	hash.update(`bundle ${bundle}\n`);
	hashTree(hash, dirname(bundle));
	for (const file of harnessFiles()) hash.update(`${basename(file)}\0`).update(readFileSync(file));
	// the root's lower layer is this machine: its installed packages (dracut, kmod, systemd, python) take part
	if (existsSync('/var/lib/dpkg/status')) hash.update(readFileSync('/var/lib/dpkg/status'));
	return hash.digest('hex').slice(0, 16);
}

/** Newest first; everything past KEEP other states goes (never the one being used). */
function prune(current: string): void {
	const others = readdirSync(PREPARED_DIR, { withFileTypes: true })
		.filter((e) => e.isDirectory() && e.name !== current && existsSync(join(PREPARED_DIR, e.name, 'kernels.json')))
		.map((e) => ({ name: e.name, mtime: statSync(join(PREPARED_DIR, e.name)).mtimeMs }))
		.sort((a, b) => b.mtime - a.mtime);
	for (const { name } of others.slice(KEEP)) rmSync(join(PREPARED_DIR, name), { recursive: true, force: true });
}

/** Who runs the tests: vitest's main process for its workers (a failed build is not retried by every worker). */
function runner(): string {
	return String(process.ppid);
}

/**
 * A saved state (built now if absent, under a lock): `script` run as flow `name` in the root `from()` gives. Its
 * directory holds upper/, kernels.json and the flow's log. A build that failed in this test run fails the other
 * files asking for it at once, with the same message, instead of being repeated.
 */
async function savedState(
	key: string,
	name: string,
	script: string,
	from: () => Promise<PortageRoot>,
): Promise<string> {
	const dir = join(PREPARED_DIR, key);
	const ready = () => existsSync(join(dir, 'kernels.json'));
	if (ready()) {
		// the newest-used states survive pruning
		const now = new Date();
		utimesSync(dir, now, now);
		return dir;
	}
	mkdirSync(PREPARED_DIR, { recursive: true });
	const failed = join(PREPARED_DIR, `${key}.failed`);
	const failure = () => {
		if (!existsSync(failed)) return undefined;
		const record = JSON.parse(readFileSync(failed, 'utf8')) as { runner: string; message: string };
		return record.runner === runner()
			? new Error(`building the saved root state ${name} failed earlier in this run: ${record.message}`)
			: undefined;
	};
	// a build takes minutes on a loaded machine; the lock only serialises the workers of one run
	const lock = await acquireLock(join(PREPARED_DIR, `${key}.lock`), { timeoutMs: 6 * 60 * 60 * 1000 });
	try {
		if (ready()) return dir;
		const earlier = failure();
		if (earlier) throw earlier;
		const root = await from();
		try {
			await runFlow(root, name, script);
			const staging = `${dir}.tmp`;
			rmSync(staging, { recursive: true, force: true });
			mkdirSync(staging);
			// cp -a keeps overlayfs whiteouts (0:0 character devices) and opaque-dir xattrs
			const copy = spawnSync('cp', ['-a', root.upper, join(staging, 'upper')], { encoding: 'utf8' });
			if (copy.status !== 0) throw new Error(`saving the root state ${name} failed: ${copy.stderr}`);
			writeFileSync(join(staging, `${name}.log`), readFileSync(join(root.dir, `${name}.log`)));
			writeFileSync(join(staging, 'kernels.json'), `${JSON.stringify(root.kernels, null, '\t')}\n`);
			renameSync(staging, dir);
			rmSync(failed, { force: true });
		} catch (error) {
			writeFileSync(failed, JSON.stringify({ runner: runner(), message: (error as Error).message }));
			throw error;
		} finally {
			if (!process.env['DK_TEST_KEEP_ROOTS']) root.cleanup();
		}
		prune(key);
		return dir;
	} finally {
		lock.release();
	}
}

/** A new throw-away root starting from a saved state's directory. */
function forkState(dir: string): PortageRoot {
	const kernels = JSON.parse(readFileSync(join(dir, 'kernels.json'), 'utf8')) as KernelRelease[];
	return withDracut(createRoot({ from: join(dir, 'upper') }), kernels);
}

/** The saved prepared state: its directory, holding upper/ and kernels.json. */
export async function preparedState(): Promise<string> {
	return savedState(await preparedRootKey(), 'prepare', PREPARE_SCRIPT, createPortageRoot);
}

/**
 * A new throw-away root in the prepared state: setup --eclass-overrides applied, the runtime package merged,
 * USE=dist-kernel for every package (/etc/portage/package.use/dist-kernel). Nothing else merged.
 */
export async function preparedPortageRoot(): Promise<PortageRoot> {
	return forkState(await preparedState());
}

/** A state saved on top of the prepared one (keyed by it, the name and the script). */
async function stateOnPrepared(name: string, script: string): Promise<string> {
	const prepared = await preparedState();
	const key = createHash('sha256')
		.update(`${basename(prepared)}\0${name}\0${script}`)
		.digest('hex')
		.slice(0, 16);
	return savedState(key, name, script, async () => forkState(prepared));
}

/** What the first-kernel state runs on the prepared one: flow 1's emerge, then status and doctor into /dk-out. */
export const FIRST_KERNEL_SCRIPT = [
	`emerge --quiet-build=y sys-kernel/gentoo-kernel-bin ${[HELLO, ...INITRAMFS_MODULES].map((m) => m.cp).join(' ')}`,
	'mkdir -p /dk-out',
	'dist-kernel doctor > /dk-out/doctor.txt',
	'dist-kernel status --json > /dk-out/status.json',
].join('\n');

/**
 * A new throw-away root after flow 1: the prepared state, then the first kernel with hello-kmod and the three
 * initramfs module packages (USE=dist-kernel) emerged in one go, and `status --json` / `doctor` saved in /dk-out.
 * Saved like the prepared state (keyed by it and the script): the flows that start from an installed kernel share
 * one emerge.
 */
export async function firstKernelPortageRoot(): Promise<PortageRoot> {
	return forkState(await stateOnPrepared('first-kernel', FIRST_KERNEL_SCRIPT));
}

/** The two initramfs module packages of the two-module state. */
export const TWO_MODULES = INITRAMFS_MODULES.slice(0, 2);

/** What the two-module state runs on the prepared one: the first kernel and two initramfs module packages. */
export const TWO_MODULES_SCRIPT = `emerge --quiet-build=y sys-kernel/gentoo-kernel-bin ${TWO_MODULES.map((m) => m.cp).join(' ')}`;

/**
 * A new throw-away root with the first kernel and two initramfs module packages (USE=dist-kernel) emerged in one go
 * on the prepared state; nothing else (no hello-kmod). Saved like the first-kernel state: recovery.test.ts (whose
 * first test reads that emerge's saved elogs) and guard-removal-triggers.test.ts start from it.
 */
export async function twoModulesPortageRoot(): Promise<PortageRoot> {
	return forkState(await stateOnPrepared('two-modules', TWO_MODULES_SCRIPT));
}
