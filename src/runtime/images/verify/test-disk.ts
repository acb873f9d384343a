// The guest's root filesystem: a sparse image of the requested type holding the init (at /sbin/init and at the
// command line's init= path) and the nonce, made without mounting anything (mkfs populating from a directory),
// with the UUID/label the command line's root= asks for. PARTUUID= and /dev/vda1 get a GPT disk around it.
import {
	chmodSync,
	closeSync,
	copyFileSync,
	ftruncateSync,
	mkdirSync,
	openSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';
import { NONCE_PATH } from './guest-init';

export interface DiskIdentity {
	uuid?: string | undefined;
	label?: string | undefined;
	/** Put the filesystem in partition 1 of a GPT disk, with this PARTUUID (or a random one when empty). */
	partition?: { partuuid?: string | undefined } | undefined;
}

interface FsTool {
	program: string;
	/** Gentoo package providing it. */
	pkg: string;
	sizeMiB: number;
	args(image: string, tree: string, id: DiskIdentity, proto: string): string[];
}

const EXT: (type: string) => FsTool = (type) => ({
	program: `mkfs.${type}`,
	pkg: 'sys-fs/e2fsprogs',
	sizeMiB: 64,
	args: (image, tree, id) => [
		'-q',
		'-F',
		'-d',
		tree,
		...(id.uuid ? ['-U', id.uuid] : []),
		...(id.label ? ['-L', id.label] : []),
		image,
	],
});

const FS_TOOLS: Record<string, FsTool> = {
	ext2: EXT('ext2'),
	ext3: EXT('ext3'),
	ext4: EXT('ext4'),
	// xfsprogs refuses filesystems under 300 MiB; the image is sparse.
	xfs: {
		program: 'mkfs.xfs',
		pkg: 'sys-fs/xfsprogs',
		sizeMiB: 320,
		args: (image, _tree, id, proto) => [
			'-q',
			'-f',
			'-p',
			proto,
			...(id.uuid ? ['-m', `uuid=${id.uuid}`] : []),
			...(id.label ? ['-L', id.label] : []),
			image,
		],
	},
	btrfs: {
		program: 'mkfs.btrfs',
		pkg: 'sys-fs/btrfs-progs',
		sizeMiB: 128,
		args: (image, tree, id) => [
			'-q',
			'-f',
			'--rootdir',
			tree,
			...(id.uuid ? ['-U', id.uuid] : []),
			...(id.label ? ['-L', id.label] : []),
			image,
		],
	},
};

export function supportedFsTypes(): string[] {
	return Object.keys(FS_TOOLS);
}

/** xfs(8) mkfs prototype file for the tree: init executable, nonce, empty mount points. */
function xfsProto(init: string, initPaths: string[], nonceFile: string): string {
	interface Dir {
		dirs: Map<string, Dir>;
		files: Map<string, { mode: string; source: string }>;
	}
	const top: Dir = { dirs: new Map(), files: new Map() };
	const place = (path: string, mode: string, source: string) => {
		const parts = path.split('/').filter(Boolean);
		let dir = top;
		for (const part of parts.slice(0, -1)) {
			if (!dir.dirs.has(part)) dir.dirs.set(part, { dirs: new Map(), files: new Map() });
			dir = dir.dirs.get(part)!;
		}
		dir.files.set(parts.at(-1)!, { mode, source });
	};
	for (const p of initPaths) place(p, '---755', init);
	place(NONCE_PATH, '---644', nonceFile);
	for (const m of MOUNT_POINTS)
		if (!top.dirs.has(m.slice(1))) top.dirs.set(m.slice(1), { dirs: new Map(), files: new Map() });
	const lines = ['/dev/null', '0 0', 'd--755 0 0'];
	const emit = (dir: Dir, depth: number) => {
		const pad = ' '.repeat(depth);
		for (const [name, file] of dir.files) lines.push(`${pad}${name} ${file.mode} 0 0 ${file.source}`);
		for (const [name, sub] of dir.dirs) {
			lines.push(`${pad}${name} d--755 0 0`);
			emit(sub, depth + 1);
			lines.push(`${pad}$`);
		}
	};
	emit(top, 1);
	lines.push('$', '');
	return lines.join('\n');
}

const MOUNT_POINTS = ['/dev', '/proc', '/sys', '/run', '/tmp'];

function sparseFile(path: string, bytes: number): void {
	const fd = openSync(path, 'w', 0o600);
	try {
		ftruncateSync(fd, bytes);
	} finally {
		closeSync(fd);
	}
}

export interface TestDisk {
	image: string;
	fsType: string;
}

/** Builds the test root disk in `workDir`. `initPaths` are absolute paths inside the guest root. */
export async function makeTestDisk(
	ctx: Pick<RuntimeContext, 'exec'>,
	workDir: string,
	options: { fsType: string; init: string; initPaths: string[]; nonce: string; identity: DiskIdentity },
): Promise<TestDisk> {
	const tool = FS_TOOLS[options.fsType];
	if (!tool) {
		throw new DistKernelError('verify.fs-unsupported', `cannot make a test root filesystem of type ${options.fsType}`, {
			hint: `boot verification makes ${supportedFsTypes().join(', ')}; give another type with --fstype`,
		});
	}
	const tree = join(workDir, 'tree');
	for (const m of MOUNT_POINTS) mkdirSync(join(tree, m), { recursive: true });
	for (const p of options.initPaths) {
		const target = join(tree, p);
		mkdirSync(dirname(target), { recursive: true });
		copyFileSync(options.init, target);
		chmodSync(target, 0o755);
	}
	const nonceFile = join(tree, NONCE_PATH);
	mkdirSync(dirname(nonceFile), { recursive: true });
	writeFileSync(nonceFile, `${options.nonce}\n`);
	const proto = join(workDir, 'xfs.proto');
	writeFileSync(proto, xfsProto(join(tree, options.initPaths[0]!), options.initPaths, nonceFile));
	const fsImage = join(workDir, options.identity.partition ? 'rootfs.img' : 'root-disk.img');
	sparseFile(fsImage, tool.sizeMiB * 1024 * 1024);
	try {
		await ctx.exec(tool.program, tool.args(fsImage, tree, options.identity, proto), { timeout: 300_000 });
	} catch (error) {
		if (isDistKernelError(error, 'exec.not-found')) {
			throw new DistKernelError(
				'verify.mkfs-missing',
				`cannot make a ${options.fsType} test root filesystem: ${tool.program} is not installed`,
				{
					hint: `emerge ${tool.pkg} (or verify with another type: --fstype)`,
					cause: error,
				},
			);
		}
		throw error;
	}
	if (!options.identity.partition) return { image: fsImage, fsType: options.fsType };
	return { image: await wrapInGpt(ctx, workDir, fsImage, options.identity.partition.partuuid), fsType: options.fsType };
}

/** A GPT disk with the filesystem image as partition 1 (1 MiB aligned), made with sfdisk on a plain file. */
async function wrapInGpt(
	ctx: Pick<RuntimeContext, 'exec'>,
	workDir: string,
	fsImage: string,
	partuuid: string | undefined,
): Promise<string> {
	const disk = join(workDir, 'root-disk.img');
	const fsBytes = statSync(fsImage).size;
	const mib = 1024 * 1024;
	sparseFile(disk, fsBytes + 2 * mib);
	const script = `label: gpt\nstart=2048, size=${fsBytes / 512}, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4${partuuid ? `, uuid=${partuuid}` : ''}\n`;
	try {
		await ctx.exec('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', disk], { input: script, timeout: 60_000 });
	} catch (error) {
		if (isDistKernelError(error, 'exec.not-found'))
			throw new DistKernelError(
				'verify.sfdisk-missing',
				'cannot make a partitioned test disk: sfdisk is not installed',
				{ hint: 'emerge sys-apps/util-linux', cause: error },
			);
		throw error;
	}
	await ctx.exec('dd', [`if=${fsImage}`, `of=${disk}`, 'bs=1M', 'seek=1', 'conv=notrunc,sparse', 'status=none'], {
		timeout: 300_000,
	});
	return disk;
}
