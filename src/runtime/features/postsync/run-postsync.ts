// `dist-kernel postsync REPO SYNC_URI LOCATION`, run by the repo.postsync.d hook after each repository sync:
// regenerates the overlay only when the synced repository's kernel ebuilds changed, keeps a virtual for every
// installed virtual/dist-kernel version, and logs which virtuals came and went.
import { existsSync } from 'node:fs';
import { usageError } from '../../../lib/errors';
import { withLock } from '../../../lib/lock';
import { underRoot } from '../../../lib/root';
import { assertSafePath, printable } from '../../../lib/validate';
import type { RuntimeContext } from '../../context';
import { type InstalledVirtual, installedVirtuals } from '../../portage/vdb/installed-virtuals';
import { statePath } from '../../state/json-record';
import { readPostsyncState, writePostsyncState } from '../../state/postsync-record';
import { fingerprint, listKernelEbuilds } from './kernel-fingerprint';
import { diffVersions, overlayVirtualVersions, type VersionChanges } from './overlay-virtuals';

/** INTERFACES.md: the overlay's repo_name. */
const OVERLAY_REPO_NAME = 'dist-kernel';
export const POSTSYNC_LOCK = statePath('postsync.lock');

export interface PostsyncArgs {
	repo: string;
	syncUri: string;
	/** Repository location as Portage passes it (a system path, resolved under --root). */
	location: string;
}

/** Regenerates the overlay, keeping an ebuild for each installed virtual (the CLI passes the generator, loaded lazily). */
export type Regenerate = (keep: InstalledVirtual[]) => Promise<void>;

export type PostsyncOutcome =
	| { action: 'skipped'; reason: string }
	| { action: 'unchanged' }
	| ({ action: 'regenerated' } & VersionChanges);

export function parsePostsyncArgs(repo: string, syncUri: string, location: string): PostsyncArgs {
	if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(repo)) {
		throw usageError(
			'postsync.args',
			`Expected the repository name to be a name such as gentoo, got \`${printable(repo)}\``,
		);
	}
	assertSafePath(location, 'the repository location');
	return { repo, syncUri, location };
}

export async function runPostsync(
	ctx: RuntimeContext,
	args: PostsyncArgs,
	regenerate: Regenerate,
): Promise<PostsyncOutcome> {
	const { config, logger, root } = ctx;
	if (args.repo === OVERLAY_REPO_NAME)
		return { action: 'skipped', reason: `::${args.repo} is the generated overlay itself` };
	if (config.repositories.length > 0 && !config.repositories.includes(args.repo)) {
		return {
			action: 'skipped',
			reason: `::${args.repo} is not among the scanned repositories (${config.repositories.join(' ')})`,
		};
	}

	const keep = installedVirtuals(root, logger);
	const ebuilds = listKernelEbuilds(underRoot(root, args.location), config.kernelPackages);
	// Anything else that changes the generator's output for this repository belongs in the fingerprint.
	const print = fingerprint(ebuilds, [config.overlayDir, config.kernelPackages.join(' '), ...keep.map((k) => k.pvr)]);
	const overlayFull = underRoot(root, config.overlayDir);
	const state = readPostsyncState(root);
	// A manual `generate` (or an older version) may have dropped a kept virtual: that is a change too.
	const present = overlayVirtualVersions(overlayFull);
	const keptMissing = keep.some((k) => !present.includes(k.pv) && !present.includes(k.pvr));
	if (state.repositories[args.repo] === print && existsSync(overlayFull) && !keptMissing) {
		logger.debug(`no kernel version changed in ::${args.repo}`);
		return { action: 'unchanged' };
	}

	const run = async (): Promise<PostsyncOutcome> => {
		const before = overlayVirtualVersions(overlayFull);
		if (ctx.dryRun) {
			logger.info(
				`(dry run) would regenerate the overlay ${config.overlayDir}: kernel ebuilds changed in ::${args.repo}`,
			);
			return { action: 'regenerated', added: [], removed: [] };
		}
		await regenerate(keep);
		const changes = diffVersions(before, overlayVirtualVersions(overlayFull));
		for (const v of changes.added) logger.log(`added virtual/dist-kernel-${v} (after syncing ::${args.repo})`);
		for (const v of changes.removed)
			logger.log(
				`removed virtual/dist-kernel-${v}: its kernel version left the repositories and nothing installed needs it`,
			);
		if (changes.added.length === 0 && changes.removed.length === 0)
			logger.info(`overlay regenerated after syncing ::${args.repo}: no virtual added or removed`);
		state.repositories[args.repo] = print;
		writePostsyncState(root, state);
		return { action: 'regenerated', ...changes };
	};
	if (ctx.dryRun) return run();
	return withLock(underRoot(root, POSTSYNC_LOCK), run, {
		onWait: (pid) => logger.info(`waiting for another overlay regeneration (pid ${pid})`),
	});
}
