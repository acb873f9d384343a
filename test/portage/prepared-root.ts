// The prepared root every real-Portage test file starts from: a Portage root (portage-root.ts) after
// `dist-kernel setup --eclass-overrides`, `emerge sys-kernel/dist-kernel-runtime` and USE=dist-kernel for every
// package. Building it takes a minute of real emerge; it is built once per set of inputs and kept in
// .cache/portage-prepared/<key>/upper, the key a hash of everything it is made from: the vendored Portage, the kernel
// distfiles, the stand-in ::gentoo, the test bundle (the runtime package ships it), the harness sources and the
// host's installed Debian packages (the root's lower layer). Parallel vitest workers take a lock file: one builds,
// the others wait for it and then copy. Every caller gets its own fork (a copy of the saved upper dir).
import { spawnSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { acquireLock } from '../../src/lib/lock';
import { CACHE_DIR } from '../helpers/debian-kernel';
import { runFlow } from './flow-helpers';
import { kernelReleases } from './kernel-distfiles';
import { createPortageRoot, testBundle, withDracut, type PortageRoot } from './portage-root';
import { portageTree } from './portage-tree';
import { standInGentoo } from './stand-in-gentoo';
import { createRoot } from './throwaway-root';

export const PREPARED_DIR = join(CACHE_DIR, 'portage-prepared');
/** Prepared roots of other inputs kept beside the current one (other checkouts' states, an earlier commit). */
const KEEP = 3;

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

/** The saved prepared state (built now if absent): its directory, holding upper/ and kernels.json. */
export async function preparedState(): Promise<string> {
	const key = await preparedRootKey();
	const dir = join(PREPARED_DIR, key);
	if (existsSync(join(dir, 'kernels.json'))) {
		// the newest-used states survive pruning
		const now = new Date();
		utimesSync(dir, now, now);
		return dir;
	}
	mkdirSync(PREPARED_DIR, { recursive: true });
	// a build takes minutes on a loaded machine; the lock only serialises the workers of one run
	const lock = await acquireLock(join(PREPARED_DIR, `${key}.lock`), { timeoutMs: 6 * 60 * 60 * 1000 });
	try {
		if (existsSync(join(dir, 'kernels.json'))) return dir;
		const root = await createPortageRoot();
		try {
			await runFlow(root, 'prepare', PREPARE_SCRIPT);
			const staging = `${dir}.tmp`;
			rmSync(staging, { recursive: true, force: true });
			mkdirSync(staging);
			// cp -a keeps overlayfs whiteouts (0:0 character devices) and opaque-dir xattrs
			const copy = spawnSync('cp', ['-a', root.upper, join(staging, 'upper')], { encoding: 'utf8' });
			if (copy.status !== 0) throw new Error(`saving the prepared root failed: ${copy.stderr}`);
			writeFileSync(join(staging, 'prepare.log'), readFileSync(join(root.dir, 'prepare.log')));
			writeFileSync(join(staging, 'kernels.json'), `${JSON.stringify(root.kernels, null, '\t')}\n`);
			renameSync(staging, dir);
		} finally {
			if (!process.env['DK_TEST_KEEP_ROOTS']) root.cleanup();
		}
		prune(key);
		return dir;
	} finally {
		lock.release();
	}
}

/**
 * A new throw-away root in the prepared state: setup --eclass-overrides applied, the runtime package merged,
 * USE=dist-kernel for every package (/etc/portage/package.use/dist-kernel). Nothing else merged.
 */
export async function preparedPortageRoot(): Promise<PortageRoot> {
	const dir = await preparedState();
	const kernels = JSON.parse(readFileSync(join(dir, 'kernels.json'), 'utf8'));
	return withDracut(createRoot({ from: join(dir, 'upper') }), kernels);
}
