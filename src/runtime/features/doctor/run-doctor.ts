// `dist-kernel doctor`: the checks that would otherwise bite at the next reboot. Owed initramfs work left by a
// dead emerge is completed first, so the findings describe the system as it will boot.
import { isDistKernelError } from '../../../lib/errors';
import { bootMountError, bootMountProblems, readBootMountFacts } from '../../boot/transaction/mount-guard';
import type { RuntimeContext } from '../../context';
import { readDracutConfig } from '../../images/dracut/config';
import { collectSecureBoot } from '../../images/secureboot/secureboot-status';
import { readKnownIndexes } from '../../portage/binhost/binhost-indexes';
import { readPkgdir } from '../../portage/binhost/read-pkgdir';
import { completePending } from '../install/complete-pending';
import { collectStatus } from '../status/collect-status';
import { checkBinhostVersions, overlayVirtualVersions } from './check-binhost-versions';
import { checkBootImages } from './check-boot-images';
import { checkBootLayout } from './check-boot-layout';
import { checkBootSpace } from './check-boot-space';
import { checkBrokenEntries } from './check-broken-entries';
import { checkEfiStub } from './check-efi-stub';
import { checkInitramfsModules } from './check-initramfs-modules';
import { checkPending } from './check-pending';
import { checkRootModules } from './check-root-modules';
import { checkSecureBoot } from './check-secureboot';
import { checkStaleModules } from './check-stale-modules';
import { checkVerification } from './check-verification';
import type { Finding } from './finding';

export async function runDoctor(ctx: RuntimeContext, options: { running?: string } = {}): Promise<Finding[]> {
	const findings: Finding[] = [];
	// What the next install would refuse: everything read below from /boot would be the directory underneath.
	const facts = readBootMountFacts(ctx);
	const problems = facts ? bootMountProblems(facts) : [];
	if (problems.length > 0) {
		const error = bootMountError(problems, undefined);
		findings.push({
			id: error.code,
			level: 'error',
			subject: problems.map((p) => p.mountPoint).join(', '),
			message: error.message,
			fix: error.hint ?? '',
		});
	}
	try {
		await completePending(ctx);
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		findings.push({
			id: 'initramfs.pending-failed',
			level: 'error',
			subject: 'pending initramfs work',
			message: `completing deferred initramfs work failed: ${error.message}`,
			fix: 'fix the cause shown above, then run dist-kernel doctor again',
		});
	}
	const report = collectStatus(ctx, options);
	findings.push(...checkBootImages(report));
	findings.push(...(await checkInitramfsModules(ctx.exec, ctx.root, report)));
	findings.push(...(await checkRootModules(ctx, report)));
	findings.push(...checkStaleModules(report));
	findings.push(...checkPending(report));
	findings.push(...checkBrokenEntries(report));
	findings.push(...checkVerification(report, ctx.config.verifyBoot));
	findings.push(...(await checkBootLayout(ctx)));
	let uefi = false;
	let stub: string | undefined;
	try {
		const dracut = await readDracutConfig(ctx);
		uefi = dracut.uefi;
		stub = dracut.uefiStub;
	} catch (error) {
		if (!isDistKernelError(error)) throw error;
		findings.push({
			id: 'dracut.config',
			level: 'error',
			subject: '/etc/dracut.conf',
			message: error.message,
			fix: error.hint ?? 'fix the dracut configuration so that bash can source it',
		});
	}
	const ukiWanted = ctx.config.uki === 'yes' || (ctx.config.uki === 'auto' && uefi);
	findings.push(...checkEfiStub(ctx, ukiWanted, stub));
	findings.push(...checkSecureBoot(await collectSecureBoot(ctx)));
	findings.push(...checkBootSpace(ctx.root, report));
	const binhosts = readKnownIndexes(ctx.root, readPkgdir(ctx.root));
	findings.push(
		...checkBinhostVersions(
			binhosts.indexes,
			overlayVirtualVersions(ctx.root, ctx.config.overlayDir),
			ctx.config.overlayDir,
			ctx.config.kernelPackages,
		),
	);
	for (const bad of binhosts.unreadable) {
		findings.push({
			id: 'binhost.index',
			level: 'warning',
			subject: bad.path,
			message: bad.error.message,
			fix: 'run emerge --getbinpkg --pretend @world to fetch the binhost index again',
		});
	}
	return findings;
}

const MARK: Record<Finding['level'], string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };

export function renderFindings(findings: readonly Finding[]): string {
	if (findings.length === 0) return 'No problems found.\n';
	const lines: string[] = [];
	const order = { error: 0, warning: 1, info: 2 };
	for (const f of [...findings].sort((a, b) => order[a.level] - order[b.level])) {
		lines.push(`${MARK[f.level]} [${f.id}] ${f.message}`);
		lines.push(`    fix: ${f.fix}`);
	}
	const errors = findings.filter((f) => f.level === 'error').length;
	lines.push('');
	lines.push(`${errors} error(s), ${findings.length - errors} other finding(s).`);
	return `${lines.join('\n')}\n`;
}
