// Issue 11, flows 6-8 by REAL Portage in a throw-away root (test/portage/throwaway-root.ts), beside flows.test.ts:
// 6. an emerge of a new kernel with its initramfs module packages is SIGKILLed (the whole process group, by a
//    bashrc hook: deterministic) after the kernel's pkg_postinst and before the last module package's; the next
//    `dist-kernel` command finishes the pending image once, and /boot never holds anything half-written;
// 7. `emaint sync` of a git repository that gained a kernel version runs the installed repo.postsync.d hook, which
//    regenerates the virtuals (the kernel becomes emergeable); a sync without kernel change leaves the overlay alone;
// 8. the runtime's messages land in emerge's saved elog of the package that called it (folded into flow 6's emerges).
// Also: a module package built by linux-mod-r1 against a split kernel tree (O=) found the way linux-info users name
// it, KERNEL_DIR=/lib/modules/KV/source with KBUILD_OUTPUT=/lib/modules/KV/build, on this merged-usr system; and
// found as linux-info finds it with neither set: /usr/src/linux holds the sources, /lib/modules/KV/build the output.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initramfsModules, runFlow } from './flow-helpers';
import { diffSnapshots, snapshotHost } from './host-guard';
import { type KernelRelease, KV_LOCALVERSION } from './kernel-distfiles';
import { DRACUT_LOG, forkPortageRoot, type PortageRoot } from './portage-root';
import { preparedPortageRoot, TWO_MODULES, twoModulesPortageRoot } from './prepared-root';
import { HELLO, type INITRAMFS_MODULES } from './stand-in-gentoo';
import { whyNoRoot } from './throwaway-root';

const hostBefore = snapshotHost();
const why = whyNoRoot();
const roots: PortageRoot[] = [];
let prepared: PortageRoot | undefined;

function track(root: PortageRoot): PortageRoot {
	roots.push(root);
	return root;
}

function preparedRoot(): PortageRoot {
	if (why) throw new Error(why);
	if (!prepared) throw new Error('the prepared root was not built (see beforeAll)');
	return prepared;
}

beforeAll(async () => {
	if (why) return;
	// setup --eclass-overrides, the runtime package, USE=dist-kernel (built once per run: prepared-root.ts)
	prepared = track(await preparedPortageRoot());
});

afterAll(() => {
	for (const root of roots) root.cleanup();
});

it('a throw-away root can be built here (root, unshare, overlayfs over /, chroot)', () => {
	expect(why).toBeUndefined();
});

/** Saved elog files (PORTAGE_ELOG_SYSTEM=save: /var/log/portage/elog/<cat>:<pf>:<time>.log) of one package, joined. */
function savedElog(root: PortageRoot, cpf: string): string {
	const dir = root.path('/var/log/portage/elog');
	const prefix = `${cpf.replace('/', ':')}:`;
	const names = readdirSync(dir)
		.filter((name) => name.startsWith(prefix))
		.sort();
	expect(names, `no saved elog for ${cpf} in ${readdirSync(dir).join(' ')}`).not.toEqual([]);
	return names.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
}

/** Files the flows wrote under /boot (the upper dir: the host's own /boot shows through the overlay, unchanged). */
function bootFiles(root: PortageRoot): string[] {
	const dir = root.path('/boot');
	const out: string[] = [];
	const walk = (sub: string) => {
		for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
			const path = sub ? `${sub}/${entry.name}` : entry.name;
			if (entry.isDirectory()) walk(path);
			else out.push(path);
		}
	};
	walk('');
	return out.sort();
}

/** No temporary or backup file of an interrupted write, and every kernel image with a non-empty initramfs beside it. */
function expectBootComplete(root: PortageRoot, kernels: string[]): void {
	const files = bootFiles(root);
	expect(files.filter((f) => f.split('/').some((part) => part.startsWith('.') || part.includes('.dk-')))).toEqual([]);
	const images = files.filter((f) => f.startsWith('vmlinuz-')).map((f) => f.slice('vmlinuz-'.length));
	expect(images.sort()).toEqual([...kernels].sort());
	for (const kv of images)
		expect(statSync(root.path(`/boot/initramfs-${kv}.img`)).size, `initramfs of ${kv}`).toBeGreaterThan(1 << 20);
	// the boot transaction's journal is gone: nothing left to roll back or forward
	expect(root.exists('/var/lib/dist-kernel/boot-transaction.json')).toBe(false);
}

// SIGKILL of the whole emerge (its process group: the emerge started under setsid, the ebuild phases its children)
// right before the pkg_postinst of the package named in /dk-test/kill-before-postinst. Portage runs pre_<phase>
// from /etc/portage/bashrc; the harness's hooks there are post_pkg_postinst / post_pkg_postrm.
const KILL_HOOK = `
# Test hook (recovery.test.ts): kill the emerge's process group just before one package's pkg_postinst.
pre_pkg_postinst() {
	local target pgid
	[[ -r /dk-test/kill-before-postinst ]] || return 0
	read -r target < /dk-test/kill-before-postinst
	[[ \${CATEGORY}/\${PN} == "\${target}" ]] || return 0
	rm -f /dk-test/kill-before-postinst
	pgid=$(ps -o pgid= -p "$$")
	pgid=\${pgid//[[:space:]]/}
	echo "\${CATEGORY}/\${PF} \${pgid}" > /dk-test/killed
	kill -KILL -- "-\${pgid}"
}
`;

describe("flows 6 and 8: an emerge SIGKILLed between the kernel's and the last module package's pkg_postinst; the runtime's messages in the saved elog", () => {
	let root: PortageRoot;
	let k1: KernelRelease;
	let k2: KernelRelease;
	const [a, b] = TWO_MODULES as [(typeof INITRAMFS_MODULES)[number], (typeof INITRAMFS_MODULES)[number]];

	it("the first kernel with two initramfs module packages: the kernel's saved elog holds the runtime's install message, each module package's its initramfs message", async () => {
		if (why) throw new Error(why);
		// `emerge sys-kernel/gentoo-kernel-bin <a> <b>` on the prepared state, run once per test run and saved
		// (prepared-root.ts TWO_MODULES_SCRIPT): guard-removal-triggers.test.ts starts from the same state
		root = track(await twoModulesPortageRoot());
		[k1, k2] = root.kernels as [KernelRelease, KernelRelease];
		expect(savedElog(root, `sys-kernel/gentoo-kernel-bin-${k1.pv}`)).toContain(
			`kernel and initramfs for ${k1.kv} installed with`,
		);
		for (const m of [a, b]) expect(savedElog(root, `${m.cp}-1`)).toContain(`for ${k1.kv} installed with`);
		expectBootComplete(root, [k1.kv]);
	});

	it('linux-mod-r1 builds a module against the split tree (O=) named as linux-info users do: KERNEL_DIR=/lib/modules/KV/source, KBUILD_OUTPUT=/lib/modules/KV/build', async () => {
		// the kernel package's merged-usr link fix must keep `source` on the source half
		expect(statSync(root.path(`/usr/src/linux-headers-${k1.kv}-common/Makefile`)).isFile()).toBe(true);
		await runFlow(
			root,
			'split-tree',
			[
				`readlink /lib/modules/${k1.kv}/source > /dk-test-source-link`,
				`readlink -f /lib/modules/${k1.kv}/source > /dk-test-source-real`,
				'mkdir -p /etc/portage/env /etc/portage/package.env',
				`printf 'KERNEL_DIR=/lib/modules/${k1.kv}/source\\nKBUILD_OUTPUT=/lib/modules/${k1.kv}/build\\n' > /etc/portage/env/split-tree.conf`,
				`echo '${HELLO.cp} split-tree.conf' > /etc/portage/package.env/split-tree`,
				// without the virtual's sub-slot: not part of the kernel upgrade below
				`echo '${HELLO.cp} -dist-kernel' > /etc/portage/package.use/hello`,
				`emerge --quiet-build=y --oneshot ${HELLO.cp}`,
			].join('\n'),
		);
		expect(root.read('/dk-test-source-link').trim()).toBe(`../../../src/linux-headers-${k1.kv}-common`);
		expect(root.read('/dk-test-source-real').trim()).toBe(`/usr/src/linux-headers-${k1.kv}-common`);
		expect(root.exists(`/lib/modules/${k1.kv}/extra/${HELLO.module}.ko`)).toBe(true);
		const log = readFileSync(join(root.dir, 'split-tree.log'), 'utf8');
		expect(log).toContain(`build directory: /usr/src/linux-${k1.kv}`);
		expect(log).toContain(`source directory: /usr/src/linux-headers-${k1.kv}-common`);
	});

	it('linux-mod-r1 builds a module for a make O= kernel found as linux-info finds it: /usr/src/linux holds the sources only, KERNEL_DIR and KBUILD_OUTPUT unset, the output reached through /lib/modules/KV/build', async () => {
		const sources = `/usr/src/linux-headers-${k1.kv}-common`;
		await runFlow(
			root,
			'o-build-tree',
			[
				'rm -f /etc/portage/package.env/split-tree',
				`readlink /usr/src/linux > /var/tmp/dk-test-usr-src-linux`,
				`cp -a ${sources}/Makefile /var/tmp/dk-test-Makefile`,
				// the sources' Makefile names the release, as gentoo-sources' EXTRAVERSION=-gentoo does
				`sed -i -e 's/^EXTRAVERSION =.*/EXTRAVERSION = ${KV_LOCALVERSION}/' ${sources}/Makefile`,
				`ln -sfn ${sources.split('/').pop()} /usr/src/linux`,
				`rm /lib/modules/${k1.kv}/extra/${HELLO.module}.ko`,
				'status=0',
				`env -u KERNEL_DIR -u KBUILD_OUTPUT emerge --quiet-build=y --oneshot ${HELLO.cp} || status=$?`,
				// the kernel tree back as its package installed it, for the upgrade below
				`cp -a /var/tmp/dk-test-Makefile ${sources}/Makefile`,
				'ln -sfn "$(cat /var/tmp/dk-test-usr-src-linux)" /usr/src/linux',
				'exit "${status}"',
			].join('\n'),
		);
		expect(root.exists(`/lib/modules/${k1.kv}/extra/${HELLO.module}.ko`)).toBe(true);
		const log = readFileSync(join(root.dir, 'o-build-tree.log'), 'utf8');
		expect(log).toContain(`Building modules for kernel ${k1.kv}`);
		expect(log).toContain(`build directory: /usr/src/linux-${k1.kv}`);
		expect(log).toContain(`source directory: ${sources}`);
		// the module's vermagic names the kernel (the eclass checks it before merging)
		expect(log).not.toContain('module and kernel version mismatch');
	});

	it("SIGKILL before the last module package's pkg_postinst: /boot keeps the previous kernel complete, the new kernel's install stays pending; the next dist-kernel command, or the next emerge (--resume), builds its image once, holding both modules", async () => {
		await runFlow(
			root,
			'upgrade-killed',
			[
				`cat >> /etc/portage/bashrc <<'EOF'\n${KILL_HOOK}EOF`,
				'mkdir -p /dk-test',
				`echo '${b.cp}' > /dk-test/kill-before-postinst`,
				'rm -f /etc/portage/package.mask/dk-test-upgrade',
				`: > ${DRACUT_LOG}`,
				'status=0',
				'setsid --fork --wait emerge --quiet-build=y --update --deep --newuse @world || status=$?',
				'echo "${status}" > /dk-test/emerge-status',
			].join('\n'),
		);
		expect(root.read('/dk-test/killed').split(' ')[0]).toBe(`${b.cp}-1`);
		expect(root.read('/dk-test/emerge-status').trim()).not.toBe('0');
		// the kernel merged, its pkg_postinst deferred the image to the module packages; the first module asked too
		expect(root.exists(`/var/db/pkg/sys-kernel/gentoo-kernel-bin-${k2.pv}`)).toBe(true);
		const kernelElog = savedElog(root, `sys-kernel/gentoo-kernel-bin-${k2.pv}`);
		expect(kernelElog).toContain(`Deferring the installation of kernel ${k2.kv} until`);
		expect(savedElog(root, `${a.cp}-1`)).toContain(`Deferring the initramfs of ${k2.kv} (asked by ${a.cp}-1)`);
		// b's files and VDB entry were merged, its pkg_postinst never ran
		expect(root.read(`/var/db/pkg/${b.cp}-1/RDEPEND`)).toContain(`virtual/dist-kernel:0/${k2.pv}=`);
		expect(root.exists(`/lib/modules/${k2.kv}/extra/${b.module}.ko`)).toBe(true);
		expect(root.dracutRuns()).toEqual([]);
		expect(root.exists(`/var/lib/dist-kernel/pending/${k2.kv}`)).toBe(true);
		expectBootComplete(root, [k1.kv]);

		// two ways on from here, in parallel: the next dist-kernel command, and the next emerge (--resume)
		const resumed = track(forkPortageRoot(root));
		await Promise.all([
			runFlow(
				root,
				'after-kill',
				'mkdir -p /dk-out\ndist-kernel status --json > /dk-out/status.json\ndist-kernel doctor > /dk-out/doctor.txt || true',
			),
			runFlow(
				resumed,
				'resume',
				'emerge --resume --quiet-build=y\nmkdir -p /dk-out\ndist-kernel status --json > /dk-out/status.json',
			),
		]);
		for (const [after, how] of [
			[root, 'dist-kernel status'],
			[resumed, 'emerge --resume'],
		] as const) {
			expect(after.dracutRuns(), how).toEqual([k2.kv]);
			expect(after.exists(`/var/lib/dist-kernel/pending/${k2.kv}`), how).toBe(false);
			const status = JSON.parse(after.read('/dk-out/status.json')) as { pending: unknown[] };
			expect(status.pending, how).toEqual([]);
			expectBootComplete(after, [k1.kv, k2.kv]);
			const inImage = await initramfsModules(after.path(`/boot/initramfs-${k2.kv}.img`), k2.kv);
			for (const m of [a, b]) expect(inImage, how).toContain(`${m.module}.ko`);
		}
		// the resumed emerge merged b again, its pkg_postinst found the image it asks for already built
		expect(readFileSync(join(resumed.dir, 'resume.log'), 'utf8')).toMatch(
			new RegExp(`>>> Installing \\(\\d+ of \\d+\\) ${b.cp}-1::`),
		);
		// doctor's only finding: hello-kmod (USE=-dist-kernel) is still built for the previous kernel
		const doctor = root.read('/dk-out/doctor.txt');
		expect(
			doctor
				.split('\n')
				.filter((line) => /^(ERROR|WARNING|NOTE|INFO) \[/.test(line))
				.map((line) => line.split(':')[0]),
		).toEqual([`WARNING [modules.stale] ${HELLO.cp}-1`]);
		expect(doctor).toContain('0 error(s), 1 other finding(s).');
		// a second command finds nothing owed
		await runFlow(root, 'after-kill-again', 'dist-kernel status > /dev/null');
		expect(root.dracutRuns()).toEqual([k2.kv]);
	});
});

/** path → content and mtime of every file under a directory of the root's upper dir. */
function fileStates(root: PortageRoot, rootDir: string): Map<string, string> {
	const out = new Map<string, string>();
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) walk(path);
			else out.set(path, `${statSync(path).mtimeMs} ${readFileSync(path).toString('base64')}`);
		}
	};
	walk(root.path(rootDir));
	return out;
}

describe('flow 7: emaint sync of a repository that gained a kernel version runs the post-sync hook', () => {
	it('the hook adds the new virtual (the kernel becomes emergeable); a sync without kernel change leaves the overlay untouched', async () => {
		const root = track(forkPortageRoot(preparedRoot()));
		const [k1, k2] = root.kernels as [KernelRelease, KernelRelease];
		const overlay = '/var/db/repos/dist-kernel';
		expect(root.read('/etc/portage/repos.conf/dist-kernel.conf')).toContain(`location = ${overlay}`);
		const git = 'git -c user.name=dk-test -c user.email=dk-test@localhost';
		const kernelEbuild = `sys-kernel/gentoo-kernel-bin/gentoo-kernel-bin-${k2.pv}.ebuild`;
		// ::gentoo becomes a git clone of a local bare repository that does not offer the newer kernel yet
		await runFlow(
			root,
			'sync-setup',
			[
				'rm -f /etc/portage/package.mask/dk-test-upgrade',
				'cp -a /var/db/repos/gentoo /var/tmp/gentoo-upstream',
				'cd /var/tmp/gentoo-upstream',
				// kept aside: upstream gains it later
				`mv ${kernelEbuild} /var/tmp/kernel-ebuild`,
				`rm virtual/dist-kernel/dist-kernel-${k2.pv}.ebuild`,
				'git init -q -b master .',
				`${git} add -A`,
				`${git} commit -q -m 'stand-in ::gentoo'`,
				'git clone -q --bare /var/tmp/gentoo-upstream /var/tmp/gentoo.git',
				`${git} remote add origin /var/tmp/gentoo.git`,
				'cd /',
				'rm -rf /var/db/repos/gentoo',
				'git clone -q /var/tmp/gentoo.git /var/db/repos/gentoo',
				// Portage's own repos.conf wants ::gentoo's commits signed (gemato, Gentoo's key): not this stand-in's
				"sed -i -e '/^auto-sync = no$/d' /etc/portage/repos.conf/gentoo.conf",
				"printf '%s\\n' 'sync-type = git' 'sync-uri = file:///var/tmp/gentoo.git' 'sync-git-verify-commit-signature = no' 'auto-sync = yes' >> /etc/portage/repos.conf/gentoo.conf",
				'dist-kernel generate',
				`if emerge --pretend '=virtual/dist-kernel-${k2.pv}' > /var/tmp/pretend-before.log 2>&1; then echo 'virtual/dist-kernel-${k2.pv} emergeable before the sync'; exit 1; fi`,
			].join('\n'),
		);
		expect(root.read('/etc/portage/repos.conf/gentoo.conf')).toContain('sync-type = git');
		expect(root.exists(`${overlay}/virtual/dist-kernel/dist-kernel-${k1.pv}.ebuild`)).toBe(true);
		expect(root.exists(`${overlay}/virtual/dist-kernel/dist-kernel-${k2.pv}.ebuild`)).toBe(false);
		const output = await runFlow(
			root,
			'sync-new-kernel',
			[
				// upstream gains the newer kernel version
				'cd /var/tmp/gentoo-upstream',
				`mv /var/tmp/kernel-ebuild ${kernelEbuild}`,
				`${git} add -A`,
				`${git} commit -q -m 'gentoo-kernel-bin ${k2.pv}'`,
				`${git} push -q origin master`,
				'cd /',
				'emaint sync --repo gentoo',
				`emerge --pretend --verbose '=virtual/dist-kernel-${k2.pv}' > /var/tmp/pretend-after.log 2>&1`,
			].join('\n'),
		);
		expect(root.exists(`/var/db/repos/gentoo/${kernelEbuild}`)).toBe(true);
		expect(output).toContain(`added virtual/dist-kernel-${k2.pv} (after syncing ::gentoo)`);
		expect(root.exists(`${overlay}/virtual/dist-kernel/dist-kernel-${k2.pv}.ebuild`)).toBe(true);
		const pretend = root.read('/var/tmp/pretend-after.log');
		expect(pretend).toMatch(new RegExp(`virtual/dist-kernel-${k2.pv.replaceAll('.', '\\.')}:\\S*::dist-kernel`));
		expect(pretend).toContain(`sys-kernel/gentoo-kernel-bin-${k2.pv}`);

		const before = fileStates(root, overlay);
		await runFlow(
			root,
			'sync-no-kernel-change',
			[
				'cd /var/tmp/gentoo-upstream',
				`echo 'a change that is no kernel version' > ${HELLO.cp}/dk-test-note`,
				`${git} add -A`,
				`${git} commit -q -m 'not a kernel'`,
				`${git} push -q origin master`,
				'cd /',
				'emaint sync --repo gentoo',
			].join('\n'),
		);
		expect(root.exists(`/var/db/repos/gentoo/${HELLO.cp}/dk-test-note`)).toBe(true);
		expect(fileStates(root, overlay)).toEqual(before);
	});
});

it('the host /boot, /lib/modules, /usr/src and /var/db are byte-for-byte unchanged', () => {
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
