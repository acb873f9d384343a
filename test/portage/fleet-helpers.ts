// Fleet pieces shared by test/portage/fleet.test.ts and the fleet bench: a static HTTP server as binhost, a build
// host (FEATURES=buildpkg, `setup --build-host`), clients pointed at the binhost, a counting compiler wrapper, and
// what emerge.log says about the merges of one flow.
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { type BinpkgIndexEntry, parseBinpkgIndex } from '../../src/parsers/binpkg-index';
import { forkPortageRoot, type PortageRoot } from './portage-root';

export const COMPILER_LOG = '/var/log/dk-test/compiler-runs.log';
export const PKGDIR = '/var/cache/binpkgs';

/** Small generic images keep runs quick; the default is dracut's whole module set. */
export const BUILD_HOST_CONF = 'generic-image = initramfs\ngeneric-image-modules = base rootfs-block kernel-modules\n';

export interface StaticServer {
	/** http://127.0.0.1:<port> (port chosen by the kernel: bound to 0). */
	url: string;
	/** Serve another directory from now on (the binhost updated in place). */
	serve(dir: string): void;
	close(): Promise<void>;
}

/** Any static HTTP server is a binhost: this one serves `dir` (GET and HEAD, files only). */
export function serveDirectory(initial: string): Promise<StaticServer> {
	let dir = initial;
	const server = createServer((request, response) => {
		const path = normalize(join(dir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
		if (!path.startsWith(`${dir}/`) || !existsSync(path) || !statSync(path).isFile()) {
			response.writeHead(404).end();
			return;
		}
		response.writeHead(200, { 'content-length': statSync(path).size });
		if (request.method === 'HEAD') response.end();
		else createReadStream(path).pipe(response);
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () =>
			resolve({
				url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
				serve: (next) => {
					dir = next;
				},
				close: () => new Promise<void>((done) => server.close(() => done())),
			}),
		);
	});
}

/** The C compilers of this machine under every name a build may call (cc, gcc, gcc-12, x86_64-linux-gnu-gcc-12…). */
const COMPILER_NAME = /^(?:x86_64-linux-gnu-)?(?:cc|gcc|clang)(?:-[0-9]+)?$/;

/** Counting wrappers for the C compilers first on PATH: one line per run, then the real compiler. */
export function installCompilerCounter(root: PortageRoot): void {
	const wrapper = `#!/bin/sh\n# Counting compiler wrapper (dist-kernel tests)\nmkdir -p /var/log/dk-test\necho "\${0##*/}" >> ${COMPILER_LOG}\nexec /usr/bin/"\${0##*/}" "$@"\n`;
	for (const name of readdirSync('/usr/bin').filter((n) => COMPILER_NAME.test(n)))
		root.write(`/usr/local/bin/${name}`, wrapper, 0o755);
}

/** Compiler runs recorded in the root. */
export function compilerRuns(root: PortageRoot): number {
	return root.exists(COMPILER_LOG) ? root.read(COMPILER_LOG).split('\n').filter(Boolean).length : 0;
}

/** A build host forked from `prepared`: binary packages of every merge, generic images in kernel packages. */
export function forkBuildHost(prepared: PortageRoot, conf = BUILD_HOST_CONF): PortageRoot {
	const root = forkPortageRoot(prepared);
	root.write('/etc/portage/make.conf', `${root.read('/etc/portage/make.conf')}FEATURES="\${FEATURES} buildpkg"\n`);
	root.write('/etc/dist-kernel/dist-kernel.conf', `${root.read('/etc/dist-kernel/dist-kernel.conf')}${conf}`);
	return root;
}

/** A client: a fork of `from` pointed at the binhost, with `conf` added to its dist-kernel configuration. */
export function forkClient(from: PortageRoot, binhost: string, conf = ''): PortageRoot {
	const root = forkPortageRoot(from);
	const makeConf = root.read('/etc/portage/make.conf');
	if (!makeConf.includes('PORTAGE_BINHOST='))
		root.write('/etc/portage/make.conf', `${makeConf}PORTAGE_BINHOST="${binhost}"\n`);
	if (conf) root.write('/etc/dist-kernel/dist-kernel.conf', `${root.read('/etc/dist-kernel/dist-kernel.conf')}${conf}`);
	return root;
}

export interface MergeLine {
	cpv: string;
	kind: 'source' | 'binary';
}

/** Every merge emerge.log records after `offset` characters (see emergeLogLength), in order. */
export function mergesSince(root: PortageRoot, offset: number): MergeLine[] {
	if (!root.exists('/var/log/emerge.log')) return [];
	const out: MergeLine[] = [];
	for (const line of root.read('/var/log/emerge.log').slice(offset).split('\n')) {
		const match = /\) (Compiling\/Merging|Merging Binary) \(([^:\s]+)::/.exec(line);
		if (match) out.push({ cpv: match[2]!, kind: match[1] === 'Merging Binary' ? 'binary' : 'source' });
	}
	return out;
}

export function emergeLogLength(root: PortageRoot): number {
	return root.exists('/var/log/emerge.log') ? root.read('/var/log/emerge.log').length : 0;
}

/** The binary package index of a PKGDIR (host path): all instances of every package. */
export function binpkgIndex(pkgdir: string): BinpkgIndexEntry[] {
	return parseBinpkgIndex(readFileSync(join(pkgdir, 'Packages'), 'utf8')).packages;
}

/** The sub-slot of virtual/dist-kernel a module binpkg or VDB entry was built against (its RDEPEND). */
export function builtAgainst(rdepend: string | undefined): string | undefined {
	return /virtual\/dist-kernel:0\/([^=\s]+)=/.exec(rdepend ?? '')?.[1];
}
