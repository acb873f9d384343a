// The eclasses calling the REAL runtime (the bundle vitest's globalSetup builds), in --dry-run against a temp root
// holding a real Debian kernel: proves the argv contract (global flags first, then command, KV, --package/--image).
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBin } from '../helpers/bin';
import { type DebianKernel, debianKernel, linkKernelInto } from '../helpers/debian-kernel';
import { makeSandbox, q, type Sandbox } from './harness';

let box: Sandbox;
let kernel: DebianKernel;
let root: string;
let wrapper: string;

beforeAll(async () => {
	box = makeSandbox();
	kernel = await debianKernel();
	root = join(box.dir, 'target');
	mkdirSync(join(root, 'boot'), { recursive: true });
	linkKernelInto(kernel, root);
	// what the installed launcher does, plus --root/--dry-run so that nothing outside the temp root changes
	wrapper = join(box.dir, 'dist-kernel');
	writeFileSync(wrapper, `#!/bin/sh\nexec ${q(process.execPath)} ${q(testBin())} --root ${q(root)} --dry-run "$@"\n`);
	chmodSync(wrapper, 0o755);
});
afterAll(() => box.cleanup());

describe('eclasses against the real dist-kernel runtime (--dry-run)', () => {
	it('dist-kernel_install_kernel runs `dist-kernel install KV` successfully and changes nothing', async () => {
		const src = join(root, 'usr', 'src', `linux-${kernel.kv}`);
		const result = await box.run(
			`inherit dist-kernel-utils\nKV_FULL=${q(kernel.kv)} KV_DIR=${q(src)}\ndist-kernel_install_kernel`,
			{ env: { DIST_KERNEL_RUNTIME: wrapper, EPREFIX: root } },
		);
		expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
		expect(`${result.stdout}${result.stderr}`).toContain(kernel.kv);
		expect(readdirSync(join(root, 'boot'))).toEqual([]);
		expect(existsSync(join(box.T, 'dist-kernel.elog'))).toBe(true);
	});

	it('dist-kernel_reinstall_initramfs runs `dist-kernel initramfs KV` successfully and changes nothing', async () => {
		const src = join(root, 'usr', 'src', `linux-${kernel.kv}`);
		const result = await box.run(
			`inherit dist-kernel-utils\ndist-kernel_reinstall_initramfs ${q(src)} ${q(kernel.kv)}`,
			{ env: { DIST_KERNEL_RUNTIME: wrapper, EPREFIX: root } },
		);
		expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
		expect(result.texts('BEGIN')).toContain(`Rebuilding the initramfs of kernel ${kernel.kv} through dist-kernel`);
		expect(readdirSync(join(root, 'boot'))).toEqual([]);
	});

	it('a runtime usage error makes the eclass die with its message relayed', async () => {
		const result = await box.run(`inherit dist-kernel-utils\ndist-kernel_install_kernel 'not a version'`, {
			env: { DIST_KERNEL_RUNTIME: wrapper, EPREFIX: root },
		});
		expect(result.code).toBe(1);
		expect(result.texts('DIE')[0]).toBe('dist-kernel install not a version failed');
		// exit code 2 (usage error) as the runtime's main reports it
		expect(result.texts('END')).toContain('2');
		expect(result.stderr).toContain('not a version');
	});
});
