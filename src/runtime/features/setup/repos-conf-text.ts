// The repos.conf file `setup` writes (format: gentoo/portage man/portage.5, "repos.conf"; no inline comments).
// Portage reads every file of /etc/portage/repos.conf/ in name order into one ConfigParser, so a `[gentoo]` section
// here holding only `eclass-overrides` merges into the admin's own gentoo section without editing it
// (gentoo/portage lib/portage/repository/config.py `_parse`, lib/portage/util/configparser.py `read_configs`).

export const REPOS_CONF_DIR = '/etc/portage/repos.conf';
export const REPOS_CONF_FILE = `${REPOS_CONF_DIR}/dist-kernel.conf`;
/** Above ::gentoo (-1000 in Portage's default repos.conf) and ordinary overlays (0): our virtual/dist-kernel wins at equal versions. */
export const OVERLAY_PRIORITY = 100;

export interface ReposConfOptions {
	repoName: string;
	location: string;
	/** Repository whose ebuilds should inherit our eclasses, and the full `eclass-overrides` value; none when undefined. */
	eclassOverrides?: { repo: string; value: string } | undefined;
}

export function renderReposConf(options: ReposConfOptions): string {
	const lines = [
		'# Written by `dist-kernel setup`; `dist-kernel setup --undo` removes it.',
		'# The overlay is generated locally (`dist-kernel generate`, and after every sync by the',
		'# repo.postsync.d hook), so it has no sync-type and is never synced itself.',
		`[${options.repoName}]`,
		`location = ${options.location}`,
		`priority = ${OVERLAY_PRIORITY}`,
		'auto-sync = no',
	];
	if (options.eclassOverrides !== undefined) {
		lines.push(
			'',
			`# Gentoo's own kernel and module ebuilds use the eclasses of ${options.repoName}:`,
			'# kernel installs, initramfs/UKI builds and module rebuilds then go through dist-kernel.',
			'# Portage merges this section into the one defined in its own file.',
			`[${options.eclassOverrides.repo}]`,
			`eclass-overrides = ${options.eclassOverrides.value}`,
		);
	}
	return `${lines.join('\n')}\n`;
}
