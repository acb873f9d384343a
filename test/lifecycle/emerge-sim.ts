// Replays what Portage does for one `emerge` run, in Portage's order, against a temp root: for each package of the
// merge list, pkg_preinst (in its own bash, under the PMS shim), merging its image, recording it in the VDB
// (replacing the old instance and unmerging files the new one no longer has), then pkg_postinst; the resume list in
// /var/cache/edb/mtimedb loses each entry only after its pkg_postinst, as the Scheduler does. Everything runs below
// one process whose argv[0] is `emerge`, as ebuild phases do, so the runtime sees the emerge that owns deferred work.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENTOO_ECLASSES, SHIM, STAND_INS } from '../eclass/harness';
import { type FakePackage, writeVdbPackage } from '../modules/vdb-builder';

export interface SimPackage {
	/** category/PF */
	cpv: string;
	/** Bash run before each phase: package variables, `inherit`, settings (after the shim is sourced). */
	prelude?: string;
	/** Phase calls, e.g. `EBUILD_PHASE=preinst pkg_preinst`; omitted phases are not run (virtuals run none). */
	preinst?: string;
	postinst?: string;
	/** The image, ${D}: what lies under ${D}${EPREFIX} is merged into the root (cp -a). */
	image?: string;
	/** VDB entry written when the package is merged (CONTENTS from `files`). */
	vdb: Omit<FakePackage, 'cpv'>;
	/** VDB entries this merge replaces (same slot, or an older version): their files not in the new CONTENTS go. */
	replaces?: string[];
	/** Environment for this package's phases (USE, SHIM_INSTALLED…). */
	env?: Record<string, string>;
}

export interface SimContext {
	/** The temp root (EPREFIX of the phases; ROOT stays empty as on a live system). */
	root: string;
	/** Work directory for scripts, images, T. */
	work: string;
	/** Directories where the overlay's eclasses are found (first wins), then the shim's stand-ins. */
	eclassDirs: string[];
	/** Environment for every phase (DIST_KERNEL_RUNTIME, PATH…). */
	env: NodeJS.ProcessEnv;
}

export interface SimResult {
	code: number;
	output: string;
}

function q(value: string): string {
	return `'${value.replaceAll("'", "'\\''")}'`;
}

/** Files of a VDB entry (obj and sym paths) from its CONTENTS. */
export function vdbFiles(root: string, cpv: string): string[] {
	const path = join(root, 'var', 'db', 'pkg', cpv, 'CONTENTS');
	if (!existsSync(path)) return [];
	return readFileSync(path, 'utf8')
		.split('\n')
		.flatMap((line) => {
			if (line.startsWith('obj ')) return [line.slice(4).replace(/ [0-9a-f]{32} [0-9]+$/, '')];
			if (line.startsWith('sym ')) return [line.slice(4).replace(/ -> .*$/, '')];
			return [];
		});
}

function fail(cpv: string): never {
	throw new Error(`mergeOrder names ${cpv}, which is not in the merge list`);
}

function mtimedb(entries: readonly SimPackage[]): string {
	return `${JSON.stringify({ resume: { mergelist: entries.map((p) => ['ebuild', '/', p.cpv, 'merge']) } }, null, 1)}\n`;
}

/** Directories of a VDB entry, deepest first (Portage removes the empty ones on unmerge). */
export function vdbDirs(root: string, cpv: string): string[] {
	const path = join(root, 'var', 'db', 'pkg', cpv, 'CONTENTS');
	if (!existsSync(path)) return [];
	return readFileSync(path, 'utf8')
		.split('\n')
		.filter((line) => line.startsWith('dir '))
		.map((line) => line.slice(4))
		.sort((a, b) => b.length - a.length);
}

/** Bash removing `files` then the empty ones of `dirs` under ${TARGET}. */
function unmergeCommands(listFile: string, dirsFile: string): string[] {
	// One rm/rmdir for the whole list: a kernel package has thousands of files.
	return [
		`sed "s|^|\${TARGET}|" ${q(listFile)} | xargs -r -d '\\n' rm -f --`,
		`sed "s|^|\${TARGET}|" ${q(dirsFile)} | xargs -r -d '\\n' rmdir --ignore-fail-on-non-empty -- 2>/dev/null || :`,
	];
}

export interface SimOptions {
	/**
	 * The order packages merge in (cpvs), when it is not the merge list's: with `--jobs`, Portage merges whichever
	 * build finishes first, while the resume list keeps the depgraph's order and loses each entry after its
	 * pkg_postinst. Default: the list order.
	 */
	mergeOrder?: readonly string[];
	/** Stop the emerge (kill -9 of the driver) right after this package's pkg_postinst. */
	killAfter?: string;
}

/** Writes the driver script and its pieces, then runs it as `emerge`. */
export async function simulateEmerge(
	ctx: SimContext,
	name: string,
	packages: readonly SimPackage[],
	options: SimOptions = {},
): Promise<SimResult> {
	const dir = join(ctx.work, `emerge-${name}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const driver: string[] = ['set -u', `TARGET=${q(ctx.root)}`, 'mkdir -p "${TARGET}/var/cache/edb" || exit 1'];
	const order = options.mergeOrder
		? options.mergeOrder.map((cpv) => packages.find((p) => p.cpv === cpv) ?? fail(cpv))
		: packages;
	const merged = new Set<string>();
	for (const [index, pkg] of order.entries()) {
		const step = join(dir, String(index));
		// The resume list as it is while this package merges: itself and every package not merged yet, in list order.
		writeFileSync(join(dir, `mtimedb-${index}`), mtimedb(packages.filter((p) => !merged.has(p.cpv))));
		merged.add(pkg.cpv);
		driver.push(`cp ${q(join(dir, `mtimedb-${index}`))} "\${TARGET}/var/cache/edb/mtimedb" || exit 1`);
		const [category, pf] = pkg.cpv.split('/') as [string, string];
		const phaseScript = (phase: string, body: string) => {
			const file = join(step, `${phase}.sh`);
			const env = Object.entries(pkg.env ?? {}).map(([k, v]) => `export ${k}=${q(v)}`);
			const text = [
				`source ${q(SHIM)}`,
				...env,
				`EAPI=8 CATEGORY=${q(category)} PF=${q(pf)}`,
				pkg.prelude ?? '',
				body,
			].join('\n');
			mkdirSync(step, { recursive: true });
			writeFileSync(file, `${text}\n`);
			return file;
		};
		const T = join(step, 'T');
		const D = pkg.image ?? join(step, 'D');
		const run = (file: string) =>
			`T=${q(T)} D=${q(D)} bash ${q(file)} || { echo "emerge-sim: ${pkg.cpv} failed in ${file}" >&2; exit 1; }`;
		if (pkg.preinst) driver.push(run(phaseScript('preinst', pkg.preinst)));
		if (pkg.image) driver.push(`cp -a ${q(`${join(pkg.image, ctx.root)}/.`)} "\${TARGET}/" || exit 1`);
		// The new entry, and the files of replaced instances that the new one does not have (Portage's unmerge).
		const stage = join(step, 'vdb');
		writeVdbPackage(stage, { cpv: pkg.cpv, ...pkg.vdb });
		const newFiles = new Set(vdbFiles(stage, pkg.cpv));
		for (const old of pkg.replaces ?? []) {
			const gone = vdbFiles(ctx.root, old).filter((f) => !newFiles.has(f));
			const list = join(step, `unmerge-${old.replace('/', '_')}`);
			writeFileSync(list, gone.map((f) => `${f}\n`).join(''));
			writeFileSync(
				`${list}.dirs`,
				vdbDirs(ctx.root, old)
					.map((d) => `${d}\n`)
					.join(''),
			);
			driver.push(...unmergeCommands(list, `${list}.dirs`));
			driver.push(`rm -rf -- "\${TARGET}/var/db/pkg/${old}"`);
		}
		driver.push(
			`mkdir -p "\${TARGET}/var/db/pkg/${category}" && rm -rf -- "\${TARGET}/var/db/pkg/${pkg.cpv}" && cp -a ${q(join(stage, 'var', 'db', 'pkg', pkg.cpv))} "\${TARGET}/var/db/pkg/${category}/" || exit 1`,
		);
		if (pkg.postinst) driver.push(run(phaseScript('postinst', pkg.postinst)));
		if (options.killAfter === pkg.cpv) driver.push('kill -9 $$');
	}
	// The emerge finished: no resume list any more.
	writeFileSync(join(dir, 'mtimedb-done'), '{}\n');
	driver.push(`cp ${q(join(dir, 'mtimedb-done'))} "\${TARGET}/var/cache/edb/mtimedb" || exit 1`);
	const driverFile = join(dir, 'driver.sh');
	writeFileSync(driverFile, `${driver.join('\n')}\n`);

	const env: NodeJS.ProcessEnv = {
		HOME: ctx.work,
		LC_ALL: 'C',
		EPREFIX: ctx.root,
		ROOT: '',
		SHIM_ECLASSDIRS: [...ctx.eclassDirs, STAND_INS, GENTOO_ECLASSES].join(':'),
		MAKEOPTS: '-j2',
		USE: '',
		...ctx.env,
	};
	return new Promise((resolvePromise) => {
		// `exec -a emerge`: the phases' ancestor is a process named emerge, as under Portage.
		execFile(
			'bash',
			['-c', `exec -a emerge bash ${q(driverFile)}`],
			{ env, cwd: dir, maxBuffer: 256 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				resolvePromise({ code, output: `${String(stdout)}${String(stderr)}` });
			},
		);
	});
}

/** `emerge --depclean` of one package: pkg_prerm/pkg_postrm around the removal of its files and VDB entry. */
export async function simulateUnmerge(
	ctx: SimContext,
	pkg: Pick<SimPackage, 'cpv' | 'prelude' | 'env'> & { postrm?: string },
): Promise<SimResult> {
	const dir = join(ctx.work, `unmerge-${pkg.cpv.replace('/', '_')}`);
	mkdirSync(dir, { recursive: true });
	const list = join(dir, 'files');
	writeFileSync(
		list,
		vdbFiles(ctx.root, pkg.cpv)
			.map((f) => `${f}\n`)
			.join(''),
	);
	writeFileSync(
		`${list}.dirs`,
		vdbDirs(ctx.root, pkg.cpv)
			.map((d) => `${d}\n`)
			.join(''),
	);
	const [category, pf] = pkg.cpv.split('/') as [string, string];
	const postrm = join(dir, 'postrm.sh');
	const exports = Object.entries(pkg.env ?? {}).map(([k, v]) => `export ${k}=${q(v)}`);
	writeFileSync(
		postrm,
		[
			`source ${q(SHIM)}`,
			...exports,
			`EAPI=8 CATEGORY=${q(category)} PF=${q(pf)}`,
			pkg.prelude ?? '',
			pkg.postrm ?? ':',
			'',
		].join('\n'),
	);
	const driver = [
		`TARGET=${q(ctx.root)}`,
		...unmergeCommands(list, `${list}.dirs`),
		`rm -rf -- "\${TARGET}/var/db/pkg/${pkg.cpv}"`,
		`T=${q(join(dir, 'T'))} D=${q(join(dir, 'D'))} bash ${q(postrm)} || exit 1`,
	];
	const driverFile = join(dir, 'driver.sh');
	writeFileSync(driverFile, `${driver.join('\n')}\n`);
	const env: NodeJS.ProcessEnv = {
		HOME: ctx.work,
		LC_ALL: 'C',
		EPREFIX: ctx.root,
		ROOT: '',
		SHIM_ECLASSDIRS: [...ctx.eclassDirs, STAND_INS, GENTOO_ECLASSES].join(':'),
		USE: '',
		...ctx.env,
	};
	return new Promise((resolvePromise) => {
		execFile(
			'bash',
			['-c', `exec -a emerge bash ${q(driverFile)}`],
			{ env, cwd: dir, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				resolvePromise({ code, output: `${String(stdout)}${String(stderr)}` });
			},
		);
	});
}
