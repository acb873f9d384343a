// `dist-kernel setup`: adopt dist-kernel on a Gentoo system. Writes repos.conf and the configuration file the
// CONFIG_PROTECT way, generates the overlay (through the generator the command line hands in), records what it
// added for `setup --undo`, and tells the admin the exact next commands.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONFIG_PATH, loadConfig, renderDefaultConfig } from '../../../config/load';
import { RUNTIME_PACKAGE } from '../../../config/runtime-package';
import type { Config } from '../../../config/schema';
import { DistKernelError } from '../../../lib/errors';
import { isDirectory } from '../../../lib/path-kind';
import { systemView, underRoot } from '../../../lib/root';
import type { ReposConfSource } from '../../../parsers/repos-conf';
import type { RuntimeContext } from '../../context';
import {
	emptyRecord,
	readSetupRecord,
	recordDir,
	recordFile,
	SETUP_RECORD,
	type SetupRecord,
	writeSetupRecord,
} from '../../state/setup-record';
import {
	buildHostHookPath,
	recordedBuildHostHooks,
	removeBuildHostHooks,
	renderBuildHostHook,
} from './build-host-hooks';
import { type ProtectedWrite, sha256, writeProtected } from './config-protect';
import { planEclassOverrides } from './eclass-overrides';
import { assertGentooRoot } from './gentoo-root';
import { REPOS_CONF_DIR, REPOS_CONF_FILE, renderReposConf } from './repos-conf-text';

/** INTERFACES.md: the overlay's profiles/repo_name. */
export const OVERLAY_REPO_NAME = 'dist-kernel';

/** The part of the runtime context setup needs: it loads the configuration itself, after writing it. */
export type LifecycleContext = Pick<RuntimeContext, 'root' | 'dryRun' | 'logger' | 'exec'>;

export interface SetupOptions {
	/** true/false from --eclass-overrides / --no-eclass-overrides; undefined keeps what an earlier setup chose (default off). */
	eclassOverrides?: boolean | undefined;
	/** Repository whose ebuilds get our eclasses (default: [DEFAULT] main-repo, else gentoo). */
	mainRepo?: string | undefined;
	/** true/false from --build-host / --no-build-host; undefined keeps what an earlier setup chose (default off). */
	buildHost?: boolean | undefined;
	/** The repos.conf files in the order Portage reads them (the CLI lists them with the generator's reader). */
	reposConf: () => ReposConfSource[];
	/** Generates the overlay for `config` under the root (the CLI passes the generator, loaded lazily). */
	generate: (config: Config) => Promise<void>;
}

export interface SetupReport {
	writes: ProtectedWrite[];
	eclassOverrides: boolean;
	buildHost: boolean;
	overlayDir: string;
	nextCommands: string[];
}

/** Create `systemPath` (and missing parents) under root, recording each directory we made. */
function ensureDir(context: LifecycleContext, record: SetupRecord, systemPath: string): void {
	const missing: string[] = [];
	for (
		let p = systemPath;
		p !== '/' && !existsSync(underRoot(context.root, p));
		p = p.slice(0, p.lastIndexOf('/')) || '/'
	)
		missing.unshift(p);
	for (const dir of missing) {
		if (!context.dryRun) mkdirSync(underRoot(context.root, dir));
		recordDir(record, dir);
	}
}

function ownHash(record: SetupRecord, systemPath: string): string | undefined {
	return record.files.find((f) => f.path === systemPath)?.sha256;
}

/** Whether our repos.conf file (as last written by us) has the eclass-overrides section. */
function currentEclassOverrides(context: LifecycleContext, record: SetupRecord): boolean {
	try {
		const text = readFileSync(underRoot(context.root, REPOS_CONF_FILE), 'utf8');
		if (ownHash(record, REPOS_CONF_FILE) !== sha256(text)) return false;
		return new RegExp(`^eclass-overrides = (.* )?${OVERLAY_REPO_NAME}$`, 'm').test(text);
	} catch {
		return false;
	}
}

function report(context: LifecycleContext, write: ProtectedWrite): void {
	const shown = systemView(context.root, write.path);
	const would = context.dryRun ? '(dry run) would have ' : '';
	switch (write.action) {
		case 'created':
			context.logger.info(`${would}created ${shown}`);
			break;
		case 'updated':
			context.logger.info(`${would}updated ${shown}`);
			break;
		case 'unchanged':
			context.logger.info(`${shown} is up to date`);
			break;
		case 'protected':
			context.logger.warn(
				`${shown} was changed by hand: kept it; ${would}proposed the new version as ${systemView(context.root, write.protectedPath!)} (merge it with etc-update or dispatch-conf)`,
			);
			if (write.diff) context.logger.info(write.diff.trimEnd());
			break;
	}
}

export function nextCommands(eclassOverrides: boolean): string[] {
	const commands = [
		`emerge --ask ${RUNTIME_PACKAGE}`,
		"echo '*/* dist-kernel' >> /etc/portage/package.use/dist-kernel",
		'emerge --ask --update --deep --newuse @world',
		'dist-kernel doctor',
	];
	if (!eclassOverrides)
		commands.splice(
			2,
			0,
			'emerge --ask sys-kernel/gentoo-kernel-bin   # or gentoo-kernel, if no distribution kernel is installed yet',
		);
	return commands;
}

export async function runSetup(context: LifecycleContext, options: SetupOptions): Promise<SetupReport> {
	const { root, logger } = context;
	assertGentooRoot(root);
	const record = readSetupRecord(root) ?? emptyRecord();
	const writes: ProtectedWrite[] = [];

	const reposDir = underRoot(root, REPOS_CONF_DIR);
	if (existsSync(reposDir) && !isDirectory(reposDir)) {
		throw new DistKernelError('setup.repos-conf-file', `repos.conf is a file, not a directory: ${REPOS_CONF_DIR}`, {
			hint: `move it to ${REPOS_CONF_DIR}/gentoo.conf inside a new ${REPOS_CONF_DIR}/ directory (Portage reads both forms), then run setup again`,
		});
	}

	// The configuration first: repos.conf needs its overlay-dir. An admin's own configuration is never replaced.
	const configPath = underRoot(root, CONFIG_PATH);
	const configText = renderDefaultConfig();
	const configMine =
		existsSync(configPath) && ownHash(record, CONFIG_PATH) === sha256(readFileSync(configPath, 'utf8'));
	if (!existsSync(configPath) || configMine) {
		ensureDir(context, record, '/etc/dist-kernel');
		const write = await writeProtected(configPath, configText, {
			ownHash: ownHash(record, CONFIG_PATH),
			dryRun: context.dryRun,
			exec: context.exec,
			shown: CONFIG_PATH,
		});
		recordFile(record, CONFIG_PATH, write.hash);
		writes.push(write);
		report(context, write);
	} else {
		logger.info(`keeping your configuration ${CONFIG_PATH}`);
	}
	const config = loadConfig(root);

	const eclassOverrides = options.eclassOverrides ?? currentEclassOverrides(context, record);
	const ownPath = underRoot(root, REPOS_CONF_FILE);
	const overrides = planEclassOverrides(options.reposConf(), ownPath, reposDir, OVERLAY_REPO_NAME, options.mainRepo);
	const mainRepo = overrides.mainRepo;
	ensureDir(context, record, REPOS_CONF_DIR);
	const reposText = renderReposConf({
		repoName: OVERLAY_REPO_NAME,
		location: config.overlayDir,
		eclassOverrides: eclassOverrides ? { repo: mainRepo, value: overrides.value } : undefined,
	});
	const reposWrite = await writeProtected(underRoot(root, REPOS_CONF_FILE), reposText, {
		ownHash: ownHash(record, REPOS_CONF_FILE),
		dryRun: context.dryRun,
		exec: context.exec,
		shown: REPOS_CONF_FILE,
	});
	if (reposWrite.action === 'protected')
		recordFile(record, systemView(root, reposWrite.protectedPath!), reposWrite.hash);
	else recordFile(record, REPOS_CONF_FILE, reposWrite.hash);
	writes.push(reposWrite);
	report(context, reposWrite);

	if (eclassOverrides && overrides.shadowedBy !== undefined) {
		logger.warn(
			`${systemView(root, overrides.shadowedBy)} sets eclass-overrides for ::${mainRepo} and is read after ${REPOS_CONF_FILE}, so it wins: add ${OVERLAY_REPO_NAME} at the end of that line`,
		);
	}
	if (eclassOverrides) {
		const when = reposWrite.action === 'protected' ? 'once you merge the proposal above, ' : '';
		logger.warn(
			[
				`${when}eclass-overrides = ${overrides.value} applies to ::${mainRepo}: Gentoo's kernel and module ebuilds inherit`,
				`our dist-kernel-utils, kernel-install and linux-mod-r1 eclasses. Portage regenerates their metadata locally`,
				`(the first dependency calculation is slower), and the next \`emerge -uDN @world\` rebuilds module packages`,
				`whose USE flags or dependencies change through the eclasses.`,
			].join('\n'),
		);
	} else {
		logger.info(
			`::${mainRepo} ebuilds keep their own eclasses; run \`dist-kernel setup --eclass-overrides\` to have Gentoo's kernel and module ebuilds use dist-kernel's`,
		);
	}

	const buildHost = options.buildHost ?? recordedBuildHostHooks(record).length > 0;
	if (buildHost) {
		for (const pkg of config.kernelPackages) {
			const path = buildHostHookPath(pkg);
			ensureDir(context, record, dirname(path));
			const write = await writeProtected(underRoot(root, path), renderBuildHostHook(pkg), {
				ownHash: ownHash(record, path),
				dryRun: context.dryRun,
				exec: context.exec,
				shown: path,
			});
			if (write.action === 'protected') recordFile(record, systemView(root, write.protectedPath!), write.hash);
			else recordFile(record, path, write.hash);
			writes.push(write);
			report(context, write);
		}
		if (config.genericImage === 'no') {
			logger.info(
				`build host: kernel packages built here get a generic boot image once generic-image = initramfs (or uki) is set in ${CONFIG_PATH}`,
			);
		}
	} else {
		const hooks = removeBuildHostHooks(root, record, context.dryRun);
		for (const path of hooks.removed) logger.info(`${context.dryRun ? '(dry run) would remove' : 'removed'} ${path}`);
		for (const path of hooks.kept)
			logger.warn(
				`${path} was changed since setup wrote it: left in place (remove it by hand if this is no longer a build host)`,
			);
	}

	const overlayFull = underRoot(root, config.overlayDir);
	if (!existsSync(overlayFull)) record.overlay = config.overlayDir;
	if (context.dryRun) logger.info(`(dry run) would generate the overlay in ${config.overlayDir}`);
	else {
		if (!existsSync(overlayFull)) ensureDir(context, record, config.overlayDir);
		// Recorded before generating: if the generator fails, `setup --undo` still knows what was written.
		ensureDir(context, record, dirname(SETUP_RECORD));
		writeSetupRecord(root, record);
		await options.generate(config);
	}

	const commands = nextCommands(eclassOverrides);
	logger.info(['Next steps, as root:', ...commands.map((c) => `  ${c}`)].join('\n'));
	return { writes, eclassOverrides, buildHost, overlayDir: config.overlayDir, nextCommands: commands };
}
