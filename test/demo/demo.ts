// `npm run demo`: generate the overlay from the sample repository tree, then install a real Debian kernel with
// real dracut into temporary roots (plain initramfs, then a UKI) and show the result, `status` and `doctor`.
// Nothing outside the temporary directory is written.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { debianKernel, linkKernelInto } from '../helpers/debian-kernel';
import { makeDemoRoot, writeDemoVdb } from './demo-root';

const top = resolve(import.meta.dirname, '..', '..');
const bin = join(top, 'generated', 'dist-kernel.mjs');

function heading(text: string): void {
	process.stdout.write(`\n=== ${text}\n`);
}

function run(args: string[], allowFailure = false): void {
	process.stdout.write(`$ dist-kernel ${args.join(' ')}\n`);
	const result = spawnSync(process.execPath, [bin, ...args], {
		stdio: 'inherit',
		env: { ...process.env, NO_COLOR: '1' },
	});
	if (result.status !== 0 && !allowFailure)
		throw new Error(`dist-kernel ${args.join(' ')} exited with ${result.status}`);
}

function tree(dir: string, base = dir, out: string[] = []): string[] {
	for (const name of readdirSync(dir).sort()) {
		const full = join(dir, name);
		const st = statSync(full, { throwIfNoEntry: false });
		if (!st) continue;
		if (st.isDirectory()) tree(full, base, out);
		else
			out.push(`${relative(base, full).padEnd(60)} ${String(st.size).padStart(10)}  ${(st.mode & 0o777).toString(8)}`);
	}
	return out;
}

const work = mkdtempSync(join(tmpdir(), 'dist-kernel-demo-'));

heading('1. generate the overlay from test/fixtures/sample-root');
const overlay = join(work, 'overlay');
run(['--root', join(top, 'test', 'fixtures', 'sample-root'), 'generate', '--output', overlay]);
process.stdout.write(`${tree(overlay).join('\n')}\n`);

heading('2. fetch a real Debian kernel (apt-get download + dpkg -x, cached)');
const kernel = await debianKernel();
process.stdout.write(`kernel ${kernel.kv} from ${kernel.dir}\n`);

for (const variant of ['initramfs', 'uki'] as const) {
	heading(`3. full install into a temporary root (${variant === 'uki' ? 'dracut uefi=yes: UKI' : 'dracut initramfs'})`);
	const root = join(work, `root-${variant}`);
	makeDemoRoot(root, { uki: variant === 'uki' });
	linkKernelInto(kernel, root);
	run(['--root', root, 'install', kernel.kv]);
	process.stdout.write(`\n${root}/boot:\n${tree(join(root, 'boot')).join('\n')}\n`);
	heading(
		`4. status and doctor (${variant}), with /var/db/pkg records of the kernel package and a stale module package`,
	);
	writeDemoVdb(root, kernel.kv);
	run(['--root', root, 'status'], true);
	run(['--root', root, 'doctor'], true);
}

heading('done');
process.stdout.write(`everything above lives in ${work}\n`);
