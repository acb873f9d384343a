# Test stand-in for Gentoo's linux-info.eclass (the real one comes from the
# gentoo repository): the kernel-config queries module ebuilds rely on, and
# CONFIG_CHECK processing.  Like the real get_version, it keeps KV_FULL and
# friends when they are already set.

if [[ -z ${_SHIM_LINUX_INFO} ]]; then
_SHIM_LINUX_INFO=1

# as the real eclass: a default the eclass using it cannot tell from a user's choice
KERNEL_DIR="${KERNEL_DIR:-${ROOT%/}/usr/src/linux}"

get_version() {
	[[ -n ${KV_FULL} ]] && return 0
	die "linux-info stand-in: KV_FULL must be set before get_version"
}

linux_config_exists() { [[ -s ${KV_OUT_DIR}/.config ]]; }
require_configured_kernel() {
	linux_config_exists || die "kernel sources at ${KV_OUT_DIR} are not configured"
}

_shim_kconfig() {
	local line
	line=$(grep -m1 "^CONFIG_${1}=" "${KV_OUT_DIR}/.config") || return 1
	echo "${line#*=}"
}

linux_chkconfig_present() { [[ $(_shim_kconfig "${1}") == [ym] ]]; }
linux_chkconfig_module() { [[ $(_shim_kconfig "${1}") == m ]]; }
linux_chkconfig_builtin() { [[ $(_shim_kconfig "${1}") == y ]]; }
linux_chkconfig_string() { _shim_kconfig "${1}"; }

kernel_is() {
	local op=-eq
	case ${1} in
		lt|le|eq|ne|ge|gt) op=-${1}; shift ;;
	esac
	local want=${1}${2:+.${2}}${3:+.${3}}
	local have=${KV_MAJOR}${2:+.${KV_MINOR}}${3:+.${KV_PATCH}}
	ver_test "${have}" "${op}" "${want}"
}

check_extra_config() {
	local entry name fatal missing=()
	for entry in ${CONFIG_CHECK}; do
		fatal=1
		[[ ${entry} == '~'* ]] && { fatal=; entry=${entry#\~}; }
		name=${entry#!}
		if [[ ${entry} == '!'* ]]; then
			linux_chkconfig_present "${name}" || continue
			eerror "CONFIG_${name} must not be set in the kernel"
		else
			linux_chkconfig_present "${name}" && continue
			eerror "CONFIG_${name} is required in the kernel"
		fi
		[[ -n ${fatal} ]] && missing+=( "${name}" )
	done
	[[ ${#missing[@]} -eq 0 ]] || die "kernel configuration does not match CONFIG_CHECK: ${missing[*]}"
}

linux-info_pkg_setup() {
	get_version
	[[ -n ${CONFIG_CHECK} ]] && check_extra_config
	return 0
}

EXPORT_FUNCTIONS pkg_setup

fi
