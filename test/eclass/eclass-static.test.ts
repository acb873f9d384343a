// Static checks of the eclass templates: real shellcheck and bash -n, eclassdoc coverage, modern skeleton.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/generator/render';
import { ECLASSES, TEMPLATE_DIR } from './harness';

const source = (name: string) => readFileSync(join(TEMPLATE_DIR, `${name}.eclass.hbs`), 'utf8');
const guards: Record<(typeof ECLASSES)[number], string> = {
	'dist-kernel-utils': '_DIST_KERNEL_UTILS_ECLASS',
	'kernel-install': '_KERNEL_INSTALL_ECLASS',
	'linux-mod-r1': '_LINUX_MOD_R1_ECLASS',
};
/** The public API listed in /work/shared/INTERFACES.md (plus Gentoo helpers kernel ebuilds call). */
const publicApi: Record<(typeof ECLASSES)[number], string[]> = {
	'dist-kernel-utils': [
		'dist-kernel_PV_to_KV',
		'dist-kernel_get_image_path',
		'dist-kernel_install_kernel',
		'dist-kernel_reinstall_initramfs',
		'dist-kernel_compressed_module_cleanup',
		'dist-kernel_get_compressor',
		'dist-kernel_get_module_suffix',
		'dist-kernel_can_update_src_symlink',
		'dist-kernel_update_src_symlink',
		'dist-kernel_update_lib_symlinks',
	],
	'kernel-install': [
		'kernel-install_src_test',
		'kernel-install_pkg_pretend',
		'kernel-install_pkg_preinst',
		'kernel-install_pkg_postinst',
		'kernel-install_pkg_postrm',
		'kernel-install_pkg_config',
		'kernel-install_test',
		'kernel-install_install_all',
		'kernel-install_compress_modules',
		'kernel-install_extract_from_uki',
		'kernel-install_update_symlink',
		'kernel-install_can_update_symlink',
	],
	'linux-mod-r1': [
		'linux-mod-r1_pkg_setup',
		'linux-mod-r1_src_compile',
		'linux-mod-r1_src_install',
		'linux-mod-r1_pkg_postinst',
		'linux_domodule',
		'linux_moduleinto',
		'modules_post_process',
	],
};

describe.each(ECLASSES)('%s.eclass', (name) => {
	const text = source(name);

	it('is clean under shellcheck -s bash at warning level', () => {
		const result = spawnSync('shellcheck', ['-s', 'bash', '-S', 'warning', '-f', 'gcc', '-'], {
			input: text,
			encoding: 'utf8',
		});
		expect(result.error).toBeUndefined();
		expect(result.stdout).toBe('');
		expect(result.status).toBe(0);
	});

	it('parses with bash -n', () => {
		expect(() => execFileSync('bash', ['-n'], { input: text })).not.toThrow();
	});

	it('only disables shellcheck per line, with a reason', () => {
		const disables = text.split('\n').filter((line) => line.includes('shellcheck disable'));
		for (const line of disables) expect(line).toMatch(/^\t*# shellcheck disable=SC\d+ # \S/);
	});

	it('is static bash: the generator renders it unchanged (no mustache)', () => {
		const program = parseTemplate(text);
		expect(program.body.every((node) => node.type === 'ContentStatement')).toBe(true);
	});

	it('has the eclassdoc header, EAPI case, include guard and EXPORT_FUNCTIONS after the guard', () => {
		for (const tag of ['@ECLASS:', '@MAINTAINER:', '@SUPPORTED_EAPIS:', '@BLURB:', '@DESCRIPTION:', '@EXAMPLE:']) {
			expect(text).toContain(`# ${tag}`);
		}
		expect(text).toMatch(/^# Copyright \d{4} .*\n# Distributed under the terms of the GNU General Public License v2\n/);
		expect(text).toContain('*) die "${ECLASS}: EAPI ${EAPI:-0} not supported" ;;');
		expect(text).toContain(`if [[ -z \${${guards[name]}} ]]; then\n${guards[name]}=1\n`);
		const tail = text.trimEnd().split('\n').slice(-3);
		if (name === 'dist-kernel-utils') expect(tail.at(-1)).toBe('fi');
		else {
			expect(tail.at(-3)).toBe('fi');
			expect(tail.at(-1)).toMatch(/^EXPORT_FUNCTIONS /);
		}
	});

	it('indents with tabs', () => {
		const spaced = text.split('\n').filter((line) => /^ +\S/.test(line));
		expect(spaced).toEqual([]);
	});

	it('defines and documents every public function of the Gentoo API', () => {
		for (const fn of publicApi[name]) {
			expect(text, fn).toContain(`\n${fn}() {`);
			expect(text, fn).toContain(`# @FUNCTION: ${fn}\n`);
		}
		// and every function it defines has an eclassdoc block
		const defined = [...text.matchAll(/^([A-Za-z_][\w-]*)\(\) \{/gm)].map((m) => m[1]!);
		for (const fn of defined) expect(text, fn).toContain(`# @FUNCTION: ${fn}\n`);
	});
});

it('linux-mod-r1 documents the variables of the public API', () => {
	const text = source('linux-mod-r1');
	for (const variable of [
		'MODULES_MAKEARGS',
		'MODULES_INITRAMFS_IUSE',
		'MODULES_KERNEL_MIN',
		'MODULES_KERNEL_MAX',
		'MODULES_OPTIONAL_IUSE',
		'modlist',
	]) {
		expect(text).toContain(`# @ECLASS_VARIABLE: ${variable}\n`);
	}
});
