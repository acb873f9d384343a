// The generator end to end, in-process: drift against the committed overlay, real bash/shellcheck on every
// generated bash file, idempotence, stale removal, ownership, hostile input.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/cli/version';
import { defaultConfig, renderDefaultConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { buildOverlay, type GenerateOptions, generateOverlay } from '../../src/generator/generate-overlay';
import { locateProgram } from '../../src/generator/locate-program';
import { type OverlayFiles, OWNED_RECORD } from '../../src/generator/render-overlay';
import { syncOverlay } from '../../src/generator/write-overlay';
import { isDistKernelError } from '../../src/lib/errors';
import { createMemoryLogger } from '../../src/lib/log';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';

const TOP = resolve(import.meta.dirname, '..', '..');
const SAMPLE_ROOT = join(TOP, 'test', 'fixtures', 'sample-root');
const COMMITTED_OVERLAY = join(TOP, 'overlay');

function options(root: string, outputDir: string, config: Partial<Config> = {}, check = false) {
	const logger = createMemoryLogger();
	const opts: GenerateOptions = {
		root,
		config: { ...defaultConfig(), ...config },
		outputDir,
		check,
		bundlePath: locateProgram().bundle,
		runtime: { package: 'sys-kernel/dist-kernel-runtime', bin: 'dist-kernel', version: VERSION },
		defaultConfig: renderDefaultConfig(),
		logger,
	};
	return { opts, logger };
}

const temps: TempRoot[] = [];
function tempRootFromSample(): TempRoot {
	const temp = makeTempRoot('dk-gen-');
	cpSync(SAMPLE_ROOT, temp.root, { recursive: true });
	temps.push(temp);
	return temp;
}
afterEach(() => {
	for (const t of temps.splice(0)) t.cleanup();
});

function isBashFile(path: string, data: Uint8Array): boolean {
	if (path.endsWith('.ebuild') || path.endsWith('.eclass')) return true;
	return /^#!\/(usr\/)?bin\/(env )?bash/.test(Buffer.from(data.subarray(0, 40)).toString());
}

describe('the sample tree', () => {
	let files: OverlayFiles;
	let versions: string[];
	let lines: string[];
	beforeAll(() => {
		const { opts, logger } = options(SAMPLE_ROOT, '/nonexistent-output');
		({ files, versions } = buildOverlay(opts));
		lines = logger.lines;
	});

	it('gives one virtual per distinct version, in PMS order, and skips invalid and live ebuilds', () => {
		expect(versions).toEqual(['6.1.118', '6.6.58', '6.12.5', '6.12.5_p1', '6.12.10', '6.13.2', '6.14_rc2']);
		expect(lines.join('\n')).toMatch(
			/skipping invalid ebuild file name: gentoo-kernel-6\.6\.x\.ebuild in \/var\/db\/repos\/gentoo\/sys-kernel\/gentoo-kernel/,
		);
		expect([...files.keys()].filter((p) => p.includes('9999'))).toEqual([]);
	});

	it('matches the committed overlay byte for byte (drift test; run `npm run build` after changing templates)', () => {
		const changes = syncOverlay(COMMITTED_OVERLAY, files, { apply: false });
		expect({ changed: changes.written, stale: changes.removed }).toEqual({ changed: [], stale: [] });
	});

	it('writes the virtual as gentoo/gentoo does', () => {
		const text = Buffer.from(files.get('virtual/dist-kernel/dist-kernel-6.12.5_p1.ebuild')!).toString();
		expect(text).toContain('EAPI=8\n');
		expect(text).toContain('SLOT="0/${PVR}"\n');
		expect(text).toContain('KEYWORDS="amd64 ~arm64 ~riscv"\n');
		expect(text).toContain(
			'\t|| (\n\t\t~sys-kernel/gentoo-kernel-${PV}\n\t\t~sys-kernel/gentoo-kernel-bin-${PV}\n\t\t~sys-kernel/vanilla-kernel-${PV%_p*}\n\t)\n',
		);
	});

	it('has the repository files Portage needs', () => {
		const text = (p: string) => Buffer.from(files.get(p)!).toString();
		expect(text('profiles/repo_name')).toBe('dist-kernel\n');
		expect(text('metadata/layout.conf')).toMatch(/^masters = gentoo$/m);
		expect(text('metadata/layout.conf')).toMatch(/^thin-manifests = true$/m);
		expect(text('metadata/layout.conf')).toMatch(/^eapis-banned = 0 1 2 3 4 5 6 7$/m);
		for (const dir of ['virtual/dist-kernel', 'sys-kernel/dist-kernel-runtime']) {
			expect(text(`${dir}/metadata.xml`)).toContain(
				'<!DOCTYPE pkgmetadata SYSTEM "https://www.gentoo.org/dtd/metadata.dtd">',
			);
		}
		const ebuilds = [...files.keys()].filter((p) => p.endsWith('.ebuild'));
		for (const e of ebuilds) expect(text(e), e).toMatch(/^EAPI=8$/m);
	});

	it('every metadata.xml is well-formed XML with the pkgmetadata root (Python expat, a real XML parser)', () => {
		const check = `
import sys, xml.dom.minidom
doc = xml.dom.minidom.parseString(sys.stdin.buffer.read())
assert doc.doctype is not None and doc.doctype.name == "pkgmetadata", "doctype"
assert doc.documentElement.tagName == "pkgmetadata", "root element"
`;
		const xmlFiles = [...files].filter(([path]) => path.endsWith('metadata.xml'));
		expect(xmlFiles.map(([p]) => p).sort()).toEqual([
			'sys-kernel/dist-kernel-runtime/metadata.xml',
			'virtual/dist-kernel/metadata.xml',
		]);
		for (const [path, data] of xmlFiles) {
			const result = spawnSync('python3', ['-c', check], { input: data, encoding: 'utf8' });
			expect(result.stderr, path).toBe('');
			expect(result.status, path).toBe(0);
		}
	});

	it('the runtime package installs the bundle, every plugin, the hook, the launcher and the config', () => {
		const ebuild = Buffer.from(
			files.get(`sys-kernel/dist-kernel-runtime/dist-kernel-runtime-${VERSION}.ebuild`)!,
		).toString();
		expect(ebuild).toMatch(/^RDEPEND="\n\t>=net-libs\/nodejs-20\n\tsys-apps\/kmod\n\tsys-kernel\/dracut\n"$/m);
		const installed = [...ebuild.matchAll(/"\$\{FILESDIR\}"\/(\S+)/g)].map((m) => m[1]).sort();
		const prefix = 'sys-kernel/dist-kernel-runtime/files/';
		const shipped = [
			...new Set(
				[...files.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]),
			),
		].sort();
		expect(installed).toEqual(shipped);
		expect(Buffer.from(files.get(`${prefix}dist-kernel.mjs`)!).equals(readFileSync(locateProgram().bundle))).toBe(true);
		// The bundle's chunks go along (`doins -r`), and every module the entry or a chunk imports is among them.
		expect(ebuild).toContain('doins -r "${FILESDIR}"/chunks');
		const program = [...files.keys()].filter(
			(p) => p === `${prefix}dist-kernel.mjs` || p.startsWith(`${prefix}chunks/`),
		);
		expect(program.length).toBeGreaterThan(2);
		for (const file of program) {
			const text = Buffer.from(files.get(file)!).toString();
			for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.\.?\/[^"]+)"/g))
				expect(files.has(posix.join(posix.dirname(file), m[1]!)), `${file} imports ${m[1]}`).toBe(true);
		}
	});

	it('every generated bash file passes bash -n and shellcheck -s bash', () => {
		const bashFiles = [...files].filter(([path, data]) => isBashFile(path, data));
		expect(bashFiles.map(([p]) => p)).toEqual(
			expect.arrayContaining([
				'eclass/linux-mod-r1.eclass',
				'sys-kernel/dist-kernel-runtime/files/50-dist-kernel.install',
				'virtual/dist-kernel/dist-kernel-6.6.58.ebuild',
			]),
		);
		const failures: string[] = [];
		for (const [path, data] of bashFiles) {
			const syntax = spawnSync('bash', ['-n'], { input: data, encoding: 'utf8' });
			if (syntax.status !== 0) failures.push(`bash -n ${path}: ${syntax.stderr}`);
			// Ebuilds disable SC2034 themselves (file-wide directive above EAPI: metadata variables).
			const extra: string[] = [];
			// Eclasses use PM-provided variables (EROOT, BROOT) that trip SC2153 notes: warning level, as test/eclass does.
			if (path.endsWith('.eclass')) extra.push('-S', 'warning');
			const lint = spawnSync('shellcheck', ['-s', 'bash', ...extra, '-f', 'gcc', '-'], {
				input: data,
				encoding: 'utf8',
			});
			if (lint.status !== 0) failures.push(`shellcheck ${path}:\n${lint.stdout}${lint.stderr}`);
		}
		expect(failures).toEqual([]);
	});
});

describe('writing', () => {
	it('is idempotent: a second run writes nothing and leaves mtimes alone', () => {
		const temp = tempRootFromSample();
		const out = temp.path('/var/db/repos/dist-kernel');
		const first = generateOverlay(options(temp.root, out).opts);
		expect(first.written.length).toBeGreaterThan(10);
		const mtimes = first.written.map((p) => statSync(join(out, p)).mtimeMs);
		const second = generateOverlay(options(temp.root, out).opts);
		expect(second.written).toEqual([]);
		expect(second.removed).toEqual([]);
		expect(first.written.map((p) => statSync(join(out, p)).mtimeMs)).toEqual(mtimes);
	});

	it('removes virtuals of versions that disappeared, keeps files it does not own', () => {
		const temp = tempRootFromSample();
		const out = temp.path('/var/db/repos/dist-kernel');
		generateOverlay(options(temp.root, out).opts);
		temp.write('/var/db/repos/dist-kernel/virtual/dist-kernel/NOTES', 'mine\n');
		temp.write('/var/db/repos/dist-kernel/sys-kernel/my-kernel/my-kernel-1.ebuild', 'EAPI=8\n');
		rmSync(temp.path('/var/db/repos/local/sys-kernel/gentoo-kernel/gentoo-kernel-6.13.2.ebuild'));
		const result = generateOverlay(options(temp.root, out).opts);
		expect(result.removed).toEqual(['virtual/dist-kernel/dist-kernel-6.13.2.ebuild']);
		expect(result.written).toEqual([OWNED_RECORD]);
		expect(existsSync(join(out, 'virtual/dist-kernel/dist-kernel-6.13.2.ebuild'))).toBe(false);
		expect(readFileSync(join(out, 'virtual/dist-kernel/NOTES'), 'utf8')).toBe('mine\n');
		expect(existsSync(join(out, 'sys-kernel/my-kernel/my-kernel-1.ebuild'))).toBe(true);
	});

	it('never replaces a file it does not own, and a tampered record cannot make it delete outside the overlay', () => {
		const temp = tempRootFromSample();
		const out = temp.path('/var/db/repos/dist-kernel');
		temp.write('/var/db/repos/dist-kernel/profiles/repo_name', 'someone-else\n');
		expect(() => generateOverlay(options(temp.root, out).opts)).toThrow(
			expect.objectContaining({ code: 'overlay.not-owned' }),
		);
		expect(readFileSync(join(out, 'profiles/repo_name'), 'utf8')).toBe('someone-else\n');

		rmSync(join(out, 'profiles/repo_name'));
		generateOverlay(options(temp.root, out).opts);
		temp.write('/victim', 'keep\n');
		writeFileSync(
			join(out, OWNED_RECORD),
			`${readFileSync(join(out, OWNED_RECORD), 'utf8')}../../../../victim\n/victim\n`,
		);
		generateOverlay(options(temp.root, out).opts);
		expect(readFileSync(temp.path('/victim'), 'utf8')).toBe('keep\n');
	});

	it('check mode reports a hand-edited file and a stale one without writing', () => {
		const temp = tempRootFromSample();
		const out = temp.path('/var/db/repos/dist-kernel');
		generateOverlay(options(temp.root, out).opts);
		const ebuild = join(out, 'virtual/dist-kernel/dist-kernel-6.6.58.ebuild');
		writeFileSync(ebuild, `${readFileSync(ebuild, 'utf8')}# edited\n`);
		writeFileSync(join(out, 'virtual/dist-kernel/dist-kernel-5.0.ebuild'), 'x\n');
		writeFileSync(
			join(out, OWNED_RECORD),
			`${readFileSync(join(out, OWNED_RECORD), 'utf8')}virtual/dist-kernel/dist-kernel-5.0.ebuild\n`,
		);
		const result = generateOverlay(options(temp.root, out, {}, true).opts);
		expect(result.written).toEqual(['metadata/dist-kernel-owned', 'virtual/dist-kernel/dist-kernel-6.6.58.ebuild']);
		expect(result.removed).toEqual(['virtual/dist-kernel/dist-kernel-5.0.ebuild']);
		expect(readFileSync(ebuild, 'utf8')).toMatch(/# edited\n$/);
	});

	it('never scans its own overlay, even before it exists', () => {
		const temp = tempRootFromSample();
		temp.write('/etc/portage/repos.conf/dist-kernel.conf', '[dist-kernel]\nlocation = /var/db/repos/dist-kernel\n');
		const out = temp.path('/var/db/repos/dist-kernel');
		const first = generateOverlay(options(temp.root, out).opts);
		expect(first.repositories).toEqual(['gentoo', 'local']);
		expect(generateOverlay(options(temp.root, out).opts).written).toEqual([]);
	});

	it('only configured packages provide versions', () => {
		const temp = tempRootFromSample();
		const { opts } = options(temp.root, temp.path('/out'), { kernelPackages: ['sys-kernel/vanilla-kernel'] });
		const built = buildOverlay(opts);
		expect(built.versions).toEqual(['6.1.118', '6.12.5', '6.14_rc2']);
		const text = Buffer.from(built.files.get('virtual/dist-kernel/dist-kernel-6.12.5.ebuild')!).toString();
		expect(text).toContain('\t|| (\n\t\t~sys-kernel/vanilla-kernel-${PV%_p*}\n\t)\n');
	});
});

describe('hostile and broken input', () => {
	it('skips a version like 6.1$(dk-pwned) with a warning naming the file; it reaches no generated file', () => {
		const temp = tempRootFromSample();
		temp.write('/var/db/repos/gentoo/sys-kernel/gentoo-kernel/gentoo-kernel-6.1$(dk-pwned).ebuild', 'EAPI=8\n');
		temp.write(
			'/var/db/repos/gentoo/sys-kernel/gentoo-kernel/gentoo-kernel-6.2.ebuild',
			'KEYWORDS="amd64 $(dk-pwned)"\n',
		);
		const { opts, logger } = options(temp.root, temp.path('/out'));
		const built = buildOverlay(opts);
		expect(logger.lines.join('\n')).toContain('gentoo-kernel-6.1$(dk-pwned).ebuild');
		for (const [path, data] of built.files) {
			expect(path).not.toContain('dk-pwned');
			if (!path.endsWith('.mjs')) expect(Buffer.from(data).toString(), path).not.toContain('dk-pwned');
		}
		// Unreadable KEYWORDS fall back to testing keywords, with a warning.
		expect(Buffer.from(built.files.get('virtual/dist-kernel/dist-kernel-6.2.ebuild')!).toString()).toMatch(
			/^KEYWORDS="~amd64 ~arm64/m,
		);
		expect(logger.lines.join('\n')).toMatch(/no readable KEYWORDS for kernel version 6\.2/);
	});

	it('reads a repository whose path has spaces; a location with a newline is refused', () => {
		const temp = tempRootFromSample();
		renameSync(temp.path('/var/db/repos/local'), temp.path('/var/db/repos/my local'));
		temp.write('/etc/portage/repos.conf/local.conf', '[local]\nlocation = /var/db/repos/my local\n');
		temp.write('/etc/portage/repos.conf/zz-evil.conf', '[evil]\nlocation = /var/db/repos/x\n  $(dk-pwned)\n');
		const { opts, logger } = options(temp.root, temp.path('/out'));
		const built = buildOverlay(opts);
		expect(built.repositories).toEqual(['gentoo', 'local']);
		expect(built.versions).toContain('6.13.2');
		expect(logger.lines.join('\n')).toMatch(/\[evil\] has location .*not an absolute path: skipped/);
		for (const [path, data] of built.files)
			if (!path.endsWith('.mjs')) expect(Buffer.from(data).toString()).not.toContain('dk-pwned');
	});

	it('skips a section whose name is not a repository name', () => {
		const temp = tempRootFromSample();
		temp.write('/etc/portage/repos.conf/zz.conf', '[bad name $(x)]\nlocation = /var/db/repos/local\n');
		const { opts, logger } = options(temp.root, temp.path('/out'));
		expect(buildOverlay(opts).repositories).toEqual(['gentoo', 'local']);
		expect(logger.lines.join('\n')).toMatch(/not a valid repository name: skipped/);
	});

	it('a missing repository is an error naming its path', () => {
		const temp = tempRootFromSample();
		rmSync(temp.path('/var/db/repos/local'), { recursive: true });
		const { opts } = options(temp.root, temp.path('/out'));
		let error: unknown;
		try {
			buildOverlay(opts);
		} catch (e) {
			error = e;
		}
		expect(isDistKernelError(error, 'repo.missing')).toBe(true);
		expect((error as Error).message).toContain(temp.path('/var/db/repos/local'));
	});

	it('a repository named in the configuration but absent from repos.conf is a configuration error', () => {
		const temp = tempRootFromSample();
		const { opts } = options(temp.root, temp.path('/out'), { repositories: ['nowhere'] });
		expect(() => buildOverlay(opts)).toThrow(expect.objectContaining({ code: 'config.invalid', exitCode: 2 }));
	});

	it('reads repos.conf given as a single file, and the default repos.conf under the root', () => {
		const temp = tempRootFromSample();
		rmSync(temp.path('/etc/portage/repos.conf'), { recursive: true });
		temp.write('/etc/portage/repos.conf', '[local]\nlocation = /var/db/repos/local\n');
		temp.write(
			'/usr/share/portage/config/repos.conf',
			'[DEFAULT]\nmain-repo = gentoo\n[gentoo]\nlocation = /var/db/repos/gentoo\n',
		);
		const { opts } = options(temp.root, temp.path('/out'));
		expect(buildOverlay(opts).repositories).toEqual(['gentoo', 'local']);
	});

	it('skips a section whose repository calls itself by another name, as Portage does', () => {
		const temp = tempRootFromSample();
		mkdirSync(temp.path('/var/db/repos/local/profiles'), { recursive: true });
		writeFileSync(temp.path('/var/db/repos/local/metadata/layout.conf'), 'repo-name = other\nmasters = gentoo\n');
		const { opts, logger } = options(temp.root, temp.path('/out'));
		expect(buildOverlay(opts).versions).not.toContain('6.13.2');
		expect(logger.lines.join('\n')).toMatch(/calls itself `other`/);
	});
});
