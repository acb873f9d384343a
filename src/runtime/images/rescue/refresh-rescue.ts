// Opt-in (`rescue-image = yes`): one generic, non-hostonly image per machine, as dracut's rescue image, made from
// the newest installed kernel and rebuilt when that kernel (or the layout) changes. Written through the boot
// transaction like every boot file; `clean` and `remove` never take it (its version is `0-rescue-…`, no kernel's).
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isFile } from '../../../lib/path-kind';
import { timed } from '../../../lib/timing';
import { isKernelVersion } from '../../../lib/validate';
import { blsOptions, loaderPath, placeDirs } from '../../boot/layouts/install-layout';
import type { Source } from '../../boot/layouts/layout-plan';
import { loaderEntryText } from '../../boot/layouts/loader-entry';
import { resolveLayout } from '../../boot/layouts/resolve-layout';
import { writeLayout } from '../../boot/layouts/write-layout';
import { BootTransaction } from '../../boot/transaction/transaction';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';
import { readRescueState, rescueFilesPresent, writeRescueState } from '../../state/rescue-record';
import { buildBootImages } from '../build/build-image';
import { imageCandidates } from '../build/kernel-files';
import { firmwareStartsKernel } from '../secureboot/firmware-image';
import { rescuePlan } from './rescue-plan';

/** Kernel release order (numeric parts compared as numbers): 6.10 is newer than 6.9. */
export function compareKernelVersions(a: string, b: string): number {
	return a.localeCompare(b, 'en', { numeric: true });
}

/** The newest kernel version with an image in /lib/modules or /usr/src. */
export function newestKernel(ctx: Pick<RuntimeContext, 'root'>): string | undefined {
	let names: string[] = [];
	try {
		names = readdirSync(systemPath(ctx, '/lib/modules'));
	} catch {
		return undefined;
	}
	const hasImage = (kv: string) => imageCandidates(kv).some((p) => isFile(systemPath(ctx, p)));
	return names
		.filter((kv) => isKernelVersion(kv) && hasImage(kv))
		.sort(compareKernelVersions)
		.at(-1);
}

export type RescueOutcome =
	| { action: 'disabled' | 'not-newest' | 'up-to-date' | 'no-machine-id' | 'unsupported-layout' }
	| { action: 'built'; files: string[] };

export function refreshRescueImage(ctx: RuntimeContext, kv: string, workDir: string): Promise<RescueOutcome> {
	return timed('rescue-image', () => refreshRescueImageNow(ctx, kv, workDir));
}

async function refreshRescueImageNow(ctx: RuntimeContext, kv: string, workDir: string): Promise<RescueOutcome> {
	if (!ctx.config.rescueImage) return { action: 'disabled' };
	if (newestKernel(ctx) !== kv) return { action: 'not-newest' };
	const resolved = await resolveLayout(ctx, kv);
	if (!resolved.machineId) {
		ctx.logger.warn(
			'no rescue image: /etc/machine-id is not set, and dracut names the rescue image after it (systemd-machine-id-setup creates it)',
		);
		return { action: 'no-machine-id' };
	}
	if (resolved.layout === 'other') return { action: 'unsupported-layout' };
	const previous = readRescueState(ctx);
	if (previous && previous.kv === kv && previous.layout === resolved.layout && rescueFilesPresent(ctx, previous))
		return { action: 'up-to-date' };

	const uki = resolved.layout === 'uki' || undefined;
	const rescueWork = join(workDir, 'rescue');
	mkdirSync(rescueWork, { recursive: true, mode: 0o700 });
	const artifacts = await buildBootImages(ctx, kv, rescueWork, {
		generic: true,
		efiKernel: firmwareStartsKernel(resolved.layout),
		modulePackages: () => [],
		...(uki ? { uki } : {}),
	});
	const { version, plan } = rescuePlan(resolved.layout, resolved.names, resolved.machineId, {
		uki: artifacts.uki,
		microcode: [],
	});
	const files: Partial<Record<Source, string>> = { image: artifacts.image };
	if (artifacts.initrd) files.initrd = artifacts.initrd;
	if (!artifacts.initrd || (artifacts.uki && resolved.layout !== 'compat' && resolved.layout !== 'grub'))
		plan.files = plan.files.filter((f) => f.from !== 'initrd');
	let entryText: string | undefined;
	if (plan.entry) {
		const entryDir = loaderPath(ctx, resolved.places.bootRoot, plan.entry.entryDir);
		entryText = loaderEntryText({
			kv,
			prettyName: `${resolved.osRelease['PRETTY_NAME'] || `Linux ${kv}`} - Rescue Image`,
			machineId: resolved.machineId,
			entryToken: resolved.machineId,
			sortKey: resolved.osRelease['IMAGE_ID'] || resolved.osRelease['ID'],
			options: `${blsOptions(ctx)} rd.auto=1`,
			entryDir,
			initrds: plan.files.some((f) => f.from === 'initrd') ? ['initrd'] : [],
		});
	}
	const places = placeDirs(resolved);
	const written = await BootTransaction.run(ctx, `rescue image from ${kv}`, async (t) => {
		// A rescue image of an earlier layout goes: there is one per machine.
		for (const old of previous?.files ?? []) if (previous?.layout !== resolved.layout) t.remove(systemPath(ctx, old));
		return writeLayout(ctx, t, plan, places, version, { files, ...(entryText !== undefined ? { entryText } : {}) });
	});
	if (!ctx.dryRun)
		writeRescueState(ctx, { kv, layout: resolved.layout, files: written, builtAt: new Date().toISOString() });
	ctx.logger.log(`rescue image refreshed from kernel ${kv}: ${written.join(' ')}`);
	return { action: 'built', files: written };
}
