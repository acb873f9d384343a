// How the guest finds its root: the test disk takes the identity the command line's root= names (UUID, LABEL,
// PARTUUID, /dev/vda[1]), so the real command line — a UKI's embedded one cannot be changed — finds it. A root=
// no virtual disk can imitate (/dev/sda2, /dev/mapper/…, ZFS=…) is replaced when the command line is ours to
// give (kernel + initramfs), and is an error for a UKI. Pure.
import { DistKernelError } from '../../../lib/errors';
import { cmdlineValue, parseRootSpec, withoutParams } from '../../../parsers/kernel-cmdline';
import type { DiskIdentity } from './test-disk';

export type BootKind = 'kernel' | 'uki';

export interface RootPlan {
	identity: DiskIdentity;
	fsType: string;
	/** The command line QEMU passes (kernel kind); for a UKI, the embedded one unchanged. */
	params: string[];
	/** Where the guest init is placed inside the test root. */
	initPaths: string[];
	/** What differs from a real boot, for the report. */
	notes: string[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_PATH_RE = /^\/[A-Za-z0-9._/+-]+$/;

/** Devices the guest does not have and the initramfs would wait for (resume, LUKS, LVM, RAID): dropped when we give the command line. */
export const HOST_DEVICE_PARAMS = [
	'resume',
	'resume_offset',
	'rd.luks.uuid',
	'rd.luks.name',
	'rd.luks.options',
	'rd.lvm.lv',
	'rd.lvm.vg',
	'rd.md.uuid',
	'rd.dm.uuid',
	'rd.break',
];

/** Appended for a kernel + initramfs boot: log on the serial port, and any failure ends the guest instead of waiting at a shell. */
export const VERIFY_PARAMS = ['console=ttyS0,115200', 'panic=-1', 'rd.shell=0', 'rd.emergency=poweroff'];

const LABEL_MAX: Record<string, number> = { ext2: 16, ext3: 16, ext4: 16, xfs: 12, btrfs: 255 };

function reproduce(spec: ReturnType<typeof parseRootSpec>, fsType: string): DiskIdentity | undefined {
	switch (spec.kind) {
		case 'uuid':
			return UUID_RE.test(spec.value) ? { uuid: spec.value.toLowerCase() } : undefined;
		case 'label':
			return spec.value.length <= (LABEL_MAX[fsType] ?? 16) && !/[\s/]/.test(spec.value)
				? { label: spec.value }
				: undefined;
		case 'partuuid':
			return UUID_RE.test(spec.value) ? { partition: { partuuid: spec.value.toLowerCase() } } : undefined;
		case 'device':
			if (spec.value === '/dev/vda') return {};
			if (spec.value === '/dev/vda1') return { partition: {} };
			return undefined;
		default:
			return undefined;
	}
}

export function planRoot(input: {
	params: readonly string[];
	kind: BootKind;
	fsType: string;
	fallbackUuid: string;
}): RootPlan {
	const notes: string[] = [];
	const fsType = cmdlineValue(input.params, 'rootfstype') ?? input.fsType;
	const rootValue = cmdlineValue(input.params, 'root');
	const spec = parseRootSpec(rootValue);
	let identity = reproduce(spec, fsType);
	let params = [...input.params];
	const rootflags = cmdlineValue(input.params, 'rootflags') ?? '';
	const subvolume = /(?:^|,)subvol(?:id)?=/.test(rootflags);
	if (input.kind === 'uki') {
		if (!identity) {
			throw new DistKernelError(
				'verify.root-unsupported',
				`cannot verify this UKI: its command line ${spec.kind === 'none' ? 'has no root= (finding the root by partition type is not imitated)' : `names root=${rootValue}, a device no test disk can imitate`}`,
				{
					details:
						'a UKI carries its command line; the test disk can take the UUID, LABEL or PARTUUID that root= names, or be /dev/vda',
					hint: 'use root=UUID=… (or PARTUUID=/LABEL=) in /etc/kernel/cmdline, which is the most robust form anyway',
				},
			);
		}
		if (subvolume)
			throw new DistKernelError(
				'verify.root-unsupported',
				`cannot verify this UKI: its command line mounts a btrfs subvolume (rootflags=${rootflags})`,
				{ hint: 'the test disk has no subvolumes' },
			);
		const waits = input.params.filter((p) => HOST_DEVICE_PARAMS.some((n) => p.startsWith(`${n}=`)));
		if (waits.length > 0)
			notes.push(
				`the UKI's command line names devices the guest does not have (${waits.join(' ')}): the initramfs may wait for them`,
			);
		return { identity, fsType, params, initPaths: initPaths(input.params), notes };
	}
	if (!identity) {
		identity = { uuid: input.fallbackUuid };
		params = [...withoutParams(params, ['root']), `root=UUID=${input.fallbackUuid}`];
		notes.push(
			spec.kind === 'none'
				? `no root= on the command line: booted with root=UUID=${input.fallbackUuid}`
				: `root=${rootValue} cannot be imitated by a virtual disk: booted with root=UUID=${input.fallbackUuid} instead`,
		);
	}
	if (subvolume) {
		params = withoutParams(params, ['rootflags']);
		notes.push(`rootflags=${rootflags} dropped: the test disk has no btrfs subvolumes`);
	}
	const dropped = params.filter((p) => HOST_DEVICE_PARAMS.some((n) => p === n || p.startsWith(`${n}=`)));
	if (dropped.length > 0) notes.push(`dropped (devices of this machine the guest does not have): ${dropped.join(' ')}`);
	params = [...withoutParams(params, [...HOST_DEVICE_PARAMS, 'rd.shell', 'rd.emergency', 'panic']), ...VERIFY_PARAMS];
	return { identity, fsType, params, initPaths: initPaths(params), notes };
}

function initPaths(params: readonly string[]): string[] {
	const paths = ['/sbin/init'];
	const init = cmdlineValue(params, 'init');
	if (init && SAFE_PATH_RE.test(init) && !init.split('/').includes('..') && !paths.includes(init)) paths.push(init);
	return paths;
}
