// A throw-away root set up for real Portage: /etc/portage (make.conf as root without a portage user, the stand-in
// profile, repos.conf), the stand-in ::gentoo, launchers for Portage's programs, a counting dracut wrapper first on
// PATH and a small dracut configuration (real dracut, a few seconds per image).
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DISTFILES_DIR, type KernelRelease, kernelReleases } from './kernel-distfiles';
import { portageTree } from './portage-tree';
import { GENTOO_REPO, PROFILE, standInGentoo, writeFiles } from './stand-in-gentoo';
import { createRoot, type ThrowawayRoot, whyNoRoot } from './throwaway-root';

export const DRACUT_LOG = '/var/log/dk-test/dracut-runs.log';
/** /boot after every package's pkg_postinst / pkg_postrm during the emerges (written by /etc/portage/bashrc). */
export const BOOT_STATES_LOG = '/var/log/dk-test/boot-states.log';

// Portage sources /etc/portage/bashrc in every phase; these hooks run after the ebuild's own pkg_postinst/postrm.
const BASHRC = `# Test hook: record /boot (name, size, sha256) after each package's postinst and postrm.
dk_test_boot_state() {
	mkdir -p /var/log/dk-test
	{
		echo "== \${CATEGORY}/\${PF} \${EBUILD_PHASE}"
		local f
		while IFS= read -r -d '' f; do
			echo "$(stat -c %s "\${f}") $(sha256sum < "\${f}" | cut -d' ' -f1) \${f}"
		done < <(find /boot -type f -print0 2>/dev/null)
	} >> ${BOOT_STATES_LOG}
}
post_pkg_postinst() { dk_test_boot_state; }
post_pkg_postrm() { dk_test_boot_state; }
`;
/** The runtime bundle of this checkout (global-setup builds it), run with node before its package is installed. */
export function testBundle(): string {
	const bundle = process.env['DIST_KERNEL_TEST_BIN'];
	if (!bundle) throw new Error('DIST_KERNEL_TEST_BIN is not set (test/global-setup.ts builds the bundle)');
	return bundle;
}

/** Where the roots' dracut configuration lies. */
export const DRACUT_CONF_FILE = '/etc/dracut.conf.d/10-test.conf';

/**
 * The roots' dracut configuration. `compress`: dracut turns a bare "gzip" into `gzip -n -9 --rsyncable`, some 3.5 s
 * of a 5.5 s run here; a command with options is run as given, and `gzip -1` makes the same kind of image (gzip,
 * read by the same readers) in 0.4 s. The bench keeps "gzip", so that its emerge times stay comparable.
 */
export function fastDracutConf(compress = 'gzip -1'): string {
	return [
		'# Test configuration: real dracut, small and host-independent.',
		'hostonly="no"',
		'dracutmodules+=" base "',
		'early_microcode="no"',
		`compress="${compress}"`,
		'',
	].join('\n');
}

export const FAST_DRACUT_CONF = fastDracutConf();

const MAKE_CONF = (distdir: string) =>
	[
		'# Portage as root on a system without a portage user (../shared/vendor/README.md)',
		'PORTAGE_USERNAME="root"',
		'PORTAGE_GRPNAME="root"',
		'FEATURES="-userpriv -usersandbox -sandbox -ipc-sandbox -network-sandbox -pid-sandbox -mount-sandbox -news -merge-sync -binpkg-logs -multilib-strict -preserve-libs -qa-unresolved-soname-deps"',
		`DISTDIR="${distdir}"`,
		'PORTAGE_TMPDIR="/var/tmp"',
		'PORTAGE_LOGDIR="/var/log/portage"',
		'PORT_LOGDIR_CLEAN=""',
		'ACCEPT_LICENSE="*"',
		'GENTOO_MIRRORS=""',
		'PORTAGE_ELOG_SYSTEM="save echo"',
		'PORTAGE_ELOG_CLASSES="info log warn error qa"',
		'CLEAN_DELAY="0"',
		'EMERGE_WARNING_DELAY="0"',
		'NOCOLOR="true"',
		'MAKEOPTS="-j2"',
		'',
	].join('\n');

/** Wrapper scripts for Portage's programs, run from the extracted tree with Debian's python3. */
function launcher(tree: string, program: string): string {
	return `#!/bin/sh\nexec /usr/bin/python3 '${tree}/bin/${program}' "$@"\n`;
}

const DRACUT_COUNTER = `#!/bin/bash
# Counting dracut wrapper (as bench/lib/dracut-counter.ts): one start/end line per run, then the real dracut.
log=${DRACUT_LOG}
mkdir -p "\${log%/*}"
kver=
args=( "$@" )
for ((i = 0; i < \${#args[@]}; i++)); do
	case \${args[i]} in
		--kver) kver=\${args[i + 1]} ;;
		--kver=*) kver=\${args[i]#--kver=} ;;
	esac
done
printf 'start %s %s %s\\n' "$$" "$(date +%s%N)" "\${kver:-?}" >> "\${log}"
/usr/bin/dracut "$@"
rc=$?
printf 'end %s %s %s\\n' "$$" "$(date +%s%N)" "\${rc}" >> "\${log}"
exit "\${rc}"
`;

export interface BootFile {
	size: number;
	sha256: string;
}

export interface BootState {
	/** category/PF and phase (postinst, postrm) after which /boot was read. */
	after: string;
	files: Map<string, BootFile>;
}

export interface PortageRoot extends ThrowawayRoot {
	kernels: KernelRelease[];
	/** Kernel versions started by dracut since the log was last cleared, in order. */
	dracutRuns(): string[];
	/** /boot after each pkg_postinst / pkg_postrm since the log was last cleared. */
	bootStates(): BootState[];
}

export function parseBootStates(text: string): BootState[] {
	const states: BootState[] = [];
	for (const line of text.split('\n')) {
		if (line.startsWith('== ')) states.push({ after: line.slice(3), files: new Map() });
		else if (line && states.length > 0) {
			const [size, sha256, path] = line.split(' ');
			states.at(-1)!.files.set(path!, { size: Number(size), sha256: sha256! });
		}
	}
	return states;
}

export function withDracut(root: ThrowawayRoot, kernels: KernelRelease[]): PortageRoot {
	return {
		...root,
		kernels,
		dracutRuns: () =>
			root.exists(DRACUT_LOG)
				? root
						.read(DRACUT_LOG)
						.split('\n')
						.filter((l) => l.startsWith('start '))
						.map((l) => l.split(' ')[3] ?? '?')
				: [],
		bootStates: () => (root.exists(BOOT_STATES_LOG) ? parseBootStates(root.read(BOOT_STATES_LOG)) : []),
	};
}

/** A fresh root with Portage configured (nothing merged yet). Throws naming the reason when none can be built. */
export async function createPortageRoot(): Promise<PortageRoot> {
	const why = whyNoRoot();
	if (why) throw new Error(why);
	const [tree, kernels] = await Promise.all([portageTree(), kernelReleases()]);
	const root = createRoot();
	root.write('/etc/gentoo-release', 'Gentoo Base System release 2.17\n');
	root.write('/etc/portage/make.conf', MAKE_CONF(DISTFILES_DIR));
	mkdirSync(dirname(root.path('/etc/portage/make.profile')), { recursive: true });
	symlinkSync(PROFILE, root.path('/etc/portage/make.profile'));
	root.write(
		'/etc/portage/repos.conf/gentoo.conf',
		`[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = ${GENTOO_REPO}\nauto-sync = no\n`,
	);
	// the newer kernel arrives later (an upgrade flow lifts this mask)
	root.write(
		'/etc/portage/package.mask/dk-test-upgrade',
		kernels
			.slice(1)
			.map((k) => `>=sys-kernel/gentoo-kernel-bin-${k.pv}\n>=virtual/dist-kernel-${k.pv}\n`)
			.join(''),
	);
	writeFiles(root.path(GENTOO_REPO), await standInGentoo({ kernels }));
	for (const program of ['emerge', 'ebuild', 'emaint', 'portageq', 'egencache']) {
		root.write(`/usr/local/bin/${program}`, launcher(tree, program), 0o755);
	}
	// Portage's defaults where an installed Portage keeps them (sets, repos.conf, make.globals)
	for (const file of ['make.globals', 'repos.conf', 'sets/portage.conf']) {
		root.write(`/usr/share/portage/config/${file}`, readFileSync(join(tree, 'cnf', file), 'utf8'));
	}
	// Portage calls GNU tar as `gtar` (Gentoo's app-arch/tar installs that name; Debian does not)
	symlinkSync('/bin/tar', root.path('/usr/local/bin/gtar'));
	root.write('/usr/local/sbin/dracut', DRACUT_COUNTER, 0o755);
	root.write(DRACUT_CONF_FILE, FAST_DRACUT_CONF);
	root.write('/etc/portage/bashrc', BASHRC);
	// no separate /boot: the host's fstab may list one that is not mounted in here (the /boot guard would refuse)
	root.write('/etc/fstab', '# dist-kernel test root: /boot is a directory of the root file system\n');
	// kernel-install and UKIs would otherwise take this machine's /proc/cmdline
	root.write('/etc/kernel/cmdline', 'root=/dev/vda ro\n');
	return withDracut(root, kernels);
}

/** A new root starting from another root's state (its upper dir copied). */
export function forkPortageRoot(from: PortageRoot): PortageRoot {
	return withDracut(createRoot({ from: from.upper }), from.kernels);
}

export function readHostFile(path: string): string {
	return readFileSync(path, 'utf8');
}
