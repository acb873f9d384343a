// Everything `dist-kernel status` shows, gathered read-only: kernels (VDB + /lib/modules), what each has in the
// boot partitions, the running kernel, default boot entries, module packages and the stale ones, pending work.

import { findBootFiles } from '../../boot/files/boot-files';
import { type RunningKernel, runningKernel } from '../../boot/files/running-kernel';
import { type DefaultEntry, findDefaultEntries } from '../../boot/loaders/default-entry';
import type { RuntimeContext } from '../../context';
import type { SecureBootStatus } from '../../images/secureboot/secureboot-status';
import { readKnownIndexes } from '../../portage/binhost/binhost-indexes';
import { loadOriginSources, type PackageOrigin, packageOrigin } from '../../portage/binhost/package-origin';
import { readPkgdir } from '../../portage/binhost/read-pkgdir';
import { type ModulePackageInfo, type StaleModule, scanModules } from '../../portage/vdb/scan-modules';
import { listPending, type PendingWork } from '../../state/pending';
import { readRescueState, rescueFilesPresent } from '../../state/rescue-record';
import { readVerifyRecord, type VerifyState } from '../../state/verify-record';

export interface KernelStatus {
	kv: string;
	cpv?: string;
	version?: string;
	newest: boolean;
	running: boolean;
	modulesDir: boolean;
	/** Boot files by kind; `emptyInitrds` are zero-byte initramfs files (the placeholder beside a UKI). */
	boot: { kernels: string[]; initrds: string[]; ukis: string[]; emptyInitrds: string[] };
	pending?: PendingWork['kind'];
	/** How the kernel package reached this system (source build, binhost, local binary package). */
	origin?: PackageOrigin;
	/** Last boot verification (`dist-kernel verify`, or the install pipeline with verify-boot = qemu). */
	verification: VerificationStatus;
}

export interface VerificationStatus {
	state: VerifyState;
	at?: string;
	accel?: 'kvm' | 'tcg';
	log?: string;
	reason?: string;
	/** 'verify.secureboot-rejected' when the firmware refused the image's signature. */
	outcome?: string;
	/** Booted under enforcing Secure Boot firmware with this certificate enrolled. */
	secureBootCert?: string;
}

function verificationOf(root: string, kv: string): VerificationStatus {
	const record = readVerifyRecord(root, kv);
	if (!record) return { state: 'not verified' };
	return {
		state: record.result,
		at: record.at,
		accel: record.accel,
		log: record.log,
		...(record.reason ? { reason: record.reason } : {}),
		...(record.outcome ? { outcome: record.outcome } : {}),
		...(record.secureBoot ? { secureBootCert: record.secureBoot.cert } : {}),
	};
}

export type ModuleStatus = ModulePackageInfo & { origin: PackageOrigin };

export interface StatusReport {
	root: string;
	running: RunningKernel;
	kernels: KernelStatus[];
	virtualVersion?: string;
	defaultEntries: DefaultEntry[];
	modules: ModuleStatus[];
	stale: StaleModule[];
	pending: PendingWork[];
	broken: Array<{ cpv: string; error: string }>;
	/** The opt-in rescue image (`rescue-image = yes`): what it was built from and whether its files are all there. */
	rescue?: { kv: string; layout: string; files: string[]; complete: boolean; builtAt: string };
	/** Firmware state, the signing key found and what it signs (added by the status command: reading it sources bash). */
	secureBoot?: SecureBootStatus;
}

function rescueStatus(ctx: Pick<RuntimeContext, 'root'>): Pick<StatusReport, 'rescue'> {
	const state = readRescueState(ctx);
	if (!state) return {};
	return {
		rescue: {
			kv: state.kv,
			layout: state.layout,
			files: state.files,
			complete: rescueFilesPresent(ctx, state),
			builtAt: state.builtAt,
		},
	};
}

export function collectStatus(
	ctx: Pick<RuntimeContext, 'root' | 'env' | 'config' | 'dryRun'>,
	options: { running?: string } = {},
): StatusReport {
	const running = runningKernel(ctx, options.running);
	const inventory = scanModules(ctx.root, { kernelPackages: ctx.config.kernelPackages, writeCache: !ctx.dryRun });
	const pending = listPending(ctx.root);
	const origins = loadOriginSources(ctx.root, readKnownIndexes(ctx.root, readPkgdir(ctx.root)).indexes);
	const kernels: KernelStatus[] = inventory.kernels.map((kernel) => {
		const files = findBootFiles(ctx.root, kernel.kv);
		const owed = pending.find((p) => p.kv === kernel.kv);
		return {
			kv: kernel.kv,
			...(kernel.cpv ? { cpv: kernel.cpv } : {}),
			...(kernel.version ? { version: kernel.version } : {}),
			newest: inventory.newest?.kv === kernel.kv,
			running: running.kv === kernel.kv,
			modulesDir: kernel.modulesDir,
			boot: {
				kernels: files.kernels.map((f) => f.path),
				initrds: files.initrds.map((f) => f.path),
				ukis: files.ukis.map((f) => f.path),
				emptyInitrds: files.initrds.filter((f) => f.size === 0).map((f) => f.path),
			},
			...(owed ? { pending: owed.kind } : {}),
			...(kernel.cpv ? { origin: packageOrigin(ctx.root, kernel.cpv, origins) } : {}),
			verification: verificationOf(ctx.root, kernel.kv),
		};
	});
	return {
		root: ctx.root,
		running,
		kernels,
		...(inventory.virtualVersion ? { virtualVersion: inventory.virtualVersion } : {}),
		defaultEntries: findDefaultEntries(ctx.root),
		modules: inventory.modules.map((m) => ({ ...m, origin: packageOrigin(ctx.root, m.cpv, origins) })),
		stale: inventory.stale,
		pending,
		broken: inventory.broken.map((b) => ({ cpv: b.cpv, error: b.error.message })),
		...rescueStatus(ctx),
	};
}
