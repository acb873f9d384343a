import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeVdbPackage } from '../../../../test/modules/vdb-builder';
import { createMemoryLogger } from '../../../lib/log';
import { removeModuleDirOfPackage } from './remove-module-dir';

const KV = '6.1.176-gentoo-dist';
const KERNEL = 'sys-kernel/gentoo-kernel-bin-6.1.176';
let root = '';

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A root where Portage has unmerged the kernel's files but kept /lib/modules/KV (UNINSTALL_IGNORE). */
function rootWithLeftModules(): string {
	root = mkdtempSync(join(tmpdir(), 'dk-remove-module-dir-'));
	mkdirSync(join(root, 'lib', 'modules', KV, 'kernel', 'fs'), { recursive: true });
	writeFileSync(join(root, 'lib', 'modules', KV, 'kernel', 'fs', 'ext4.ko'), 'x');
	writeFileSync(join(root, 'lib', 'modules', KV, 'modules.dep'), 'x');
	writeVdbPackage(root, {
		cpv: KERNEL,
		slot: '6.1.176',
		files: [`/lib/modules/${KV}/kernel/fs/ext4.ko`, `/usr/src/linux-${KV}/Makefile`],
	});
	return root;
}

const ctx = () => ({ root, dryRun: false, logger: createMemoryLogger() });

describe("removeModuleDirOfPackage (the kernel package's pkg_postrm)", () => {
	it('removes /lib/modules/KV that only the kernel package being removed owns', () => {
		rootWithLeftModules();
		expect(removeModuleDirOfPackage(ctx(), KV, KERNEL)).toBe(`/lib/modules/${KV}`);
		expect(existsSync(join(root, 'lib', 'modules', KV))).toBe(false);
	});

	it('keeps it while another installed package still owns files there', () => {
		rootWithLeftModules();
		writeVdbPackage(root, { cpv: 'sys-fs/zfs-kmod-2.2.7', files: [`/lib/modules/${KV}/extra/zfs.ko`] });
		const c = ctx();
		expect(removeModuleDirOfPackage(c, KV, KERNEL)).toBeUndefined();
		expect(existsSync(join(root, 'lib', 'modules', KV, 'modules.dep'))).toBe(true);
		expect(c.logger.lines.join('\n')).toContain('sys-fs/zfs-kmod-2.2.7');
	});

	it('keeps it when the package asking does not own it (not the kernel of KV, or already gone from the VDB)', () => {
		rootWithLeftModules();
		expect(removeModuleDirOfPackage(ctx(), KV, 'sys-kernel/gentoo-kernel-bin-6.1.192')).toBeUndefined();
		expect(existsSync(join(root, 'lib', 'modules', KV))).toBe(true);
	});

	it('only says what it would do under --dry-run', () => {
		rootWithLeftModules();
		expect(removeModuleDirOfPackage({ ...ctx(), dryRun: true }, KV, KERNEL)).toBe(`/lib/modules/${KV}`);
		expect(existsSync(join(root, 'lib', 'modules', KV))).toBe(true);
	});
});
