// The cost of boot verification (`verify-boot = qemu`): for a plain initramfs and for a UKI, the image build an
// install does anyway (dracut, `install` with verification off) vs `dist-kernel verify` of the installed files,
// medians of `runs`, alternated; the UKI also under OVMF's Secure Boot build with the signing certificate enrolled
// (verify-secureboot = yes). TCG always; KVM only where the kernel boots under it (src/runtime/images/verify/accel.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { planAccel, probeKvm } from '../../src/runtime/images/verify/accel';
import { debianKernel, linkKernelInto } from '../../test/helpers/debian-kernel';
import { runProcess } from '../lib/run-process';
import { median } from '../lib/stats';

export interface VerifyCostPoint {
	image: 'initramfs' | 'uki' | 'uki-secureboot';
	accel: 'tcg' | 'kvm';
	buildMs: number;
	verifyMs: number;
	buildRuns: number[];
	verifyRuns: number[];
}

export interface VerifyCost {
	points: VerifyCostPoint[];
	kvm: { usable: boolean; reason: string };
	runs: number;
}

const DRACUT_CONF =
	'hostonly="no"\ndracutmodules=" base rootfs-block kernel-modules "\ndrivers=" virtio_blk virtio_pci ext4 "\nearly_microcode="no"\ncompress="gzip"\n';

const IMAGES = ['initramfs', 'uki', 'uki-secureboot'] as const;

export async function measureVerifyCost(
	bin: string,
	runs: number,
	options: { images?: readonly string[] | undefined; accel?: string | undefined } = {},
): Promise<VerifyCost> {
	const kernel = await debianKernel();
	const exec = createExec({ logger: createMemoryLogger() });
	const probeDir = mkdtempSync(join(tmpdir(), 'dk-bench-kvm-'));
	const plan = planAccel(options.accel === 'tcg' ? 'tcg' : 'auto');
	const noKvm = plan.candidates.includes('kvm')
		? await probeKvm({ exec }, kernel.vmlinuz, probeDir, 1024)
		: plan.reason;
	rmSync(probeDir, { recursive: true, force: true });
	const kvmChoice = { accel: noKvm ? 'tcg' : 'kvm', reason: noKvm ?? 'the kernel printed its banner under KVM' };
	const accels: Array<'tcg' | 'kvm'> = kvmChoice.accel === 'kvm' ? ['tcg', 'kvm'] : ['tcg'];
	const points: VerifyCostPoint[] = [];
	for (const image of IMAGES.filter((i) => !options.images || options.images.includes(i))) {
		const root = mkdtempSync(join(tmpdir(), 'dk-bench-verify-'));
		try {
			linkKernelInto(kernel, root);
			mkdirSync(join(root, 'etc', 'dracut.conf.d'), { recursive: true });
			mkdirSync(join(root, 'etc', 'dist-kernel'), { recursive: true });
			mkdirSync(join(root, 'etc', 'kernel'), { recursive: true });
			mkdirSync(join(root, 'var', 'tmp'), { recursive: true });
			writeFileSync(
				join(root, 'etc', 'dracut.conf.d', '10-bench.conf'),
				`${DRACUT_CONF}${image === 'initramfs' ? '' : 'uefi="yes"\n'}`,
			);
			writeFileSync(
				join(root, 'etc', 'dist-kernel', 'dist-kernel.conf'),
				`install-backend = builtin\n${image === 'uki-secureboot' ? 'verify-secureboot = yes\n' : ''}`,
			);
			if (image === 'uki-secureboot') {
				// sbctl's key store layout: the install signs the UKI, verify enrolls the certificate.
				const keys = join(root, 'var', 'lib', 'sbctl', 'keys', 'db');
				mkdirSync(keys, { recursive: true, mode: 0o700 });
				execFileSync(
					'openssl',
					[
						'req',
						'-new',
						'-x509',
						'-newkey',
						'rsa:2048',
						'-nodes',
						'-days',
						'1',
						'-subj',
						'/CN=bench db/',
						'-keyout',
						join(keys, 'db.key'),
						'-out',
						join(keys, 'db.pem'),
					],
					{ stdio: 'ignore' },
				);
			}
			writeFileSync(join(root, 'etc', 'kernel', 'cmdline'), 'root=UUID=3f1c2a9e-5b7d-4e60-9a12-0c4d8e6f7a21 ro\n');
			const build = async () => {
				const r = await runProcess(process.execPath, [bin, '--root', root, 'install', kernel.kv]);
				if (r.code !== 0) throw new Error(`install failed: ${r.stderr.slice(-500)}`);
				return r.ms;
			};
			const verify = async (accel: 'tcg' | 'kvm') => {
				const r = await runProcess(process.execPath, [bin, '--root', root, 'verify', kernel.kv, '--accel', accel]);
				if (r.code !== 0) throw new Error(`verify (${accel}) failed: ${r.stderr.slice(-500)}`);
				return r.ms;
			};
			for (const accel of accels) {
				const buildRuns: number[] = [];
				const verifyRuns: number[] = [];
				for (let i = 0; i < runs; i += 1) {
					buildRuns.push(await build());
					verifyRuns.push(await verify(accel));
				}
				points.push({ image, accel, buildMs: median(buildRuns), verifyMs: median(verifyRuns), buildRuns, verifyRuns });
			}
		} finally {
			rmSync(root, { recursive: true, force: true });
		}
	}
	return { points, kvm: { usable: kvmChoice.accel === 'kvm', reason: kvmChoice.reason }, runs };
}
