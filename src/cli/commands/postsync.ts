// `dist-kernel postsync REPO SYNC_URI LOCATION`: what /etc/portage/repo.postsync.d/dist-kernel runs after a sync.
import * as z from 'zod';
import { createRuntimeContext } from '../../runtime/context';
import { parsePostsyncArgs, runPostsync } from '../../runtime/features/postsync/run-postsync';
import { type CommandModule, parsed } from '../command-module';
import { regenerateOverlay } from '../regenerate-overlay';

const postsyncArguments = z.tuple([z.string(), z.string(), z.string()]);

export const postsyncCommand: CommandModule = {
	register(program, run) {
		program
			.command('postsync')
			.description('regenerate the overlay when a sync changed kernel versions (run by the repo.postsync.d hook)')
			.argument('<repository>', 'name of the repository that was synced')
			.argument('<sync-uri>', 'its sync-uri (may be empty)')
			.argument('<location>', 'its location')
			.action(
				run(async (context, input) => {
					const [repository, syncUri, location] = parsed(postsyncArguments, input.args);
					const ctx = createRuntimeContext(context);
					const args = parsePostsyncArgs(repository, syncUri, location);
					const outcome = await runPostsync(ctx, args, async (keep) => {
						await regenerateOverlay(
							ctx.root,
							ctx.config,
							ctx.logger,
							keep.map((k) => k.pv),
						);
					});
					if (outcome.action === 'skipped') ctx.logger.debug(`post-sync: ${outcome.reason}`);
					return 0;
				}),
			);
	},
};
