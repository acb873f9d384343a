# Test stand-in for Gentoo's linux-info.eclass (the real one comes from the
# gentoo repository).  It follows the documented behaviour the eclasses and
# ebuilds under test rely on:
#  - KERNEL_DIR defaults to ${ROOT}/usr/src/linux at inherit time;
#  - get_version does nothing when KV_FULL is already set, otherwise reads
#    VERSION/PATCHLEVEL/SUBLEVEL/EXTRAVERSION from ${KERNEL_DIR}/Makefile
#    (following a "source" link when KERNEL_DIR is an output directory),
#    takes KV_OUT_DIR from KBUILD_OUTPUT (else KV_DIR) and the local version
#    from include/config/kernel.release, and returns 1 when it finds nothing;
#  - kernel_is and linux-info_pkg_setup fall back to the running kernel;
#  - CONFIG_CHECK entries: NAME required, !NAME forbidden, ~ makes it a
#    warning; ERROR_<NAME> replaces the message.

if [[ -z ${_SHIM_LINUX_INFO} ]]; then
_SHIM_LINUX_INFO=1

# as the real eclass: a default the eclass using it cannot tell from a user's choice
KERNEL_DIR="${KERNEL_DIR:-${ROOT%/}/usr/src/linux}"

# value of a plain "NAME = value" assignment in a Makefile (no expansion)
_shim_makefile_var() {
	local line
	line=$(grep -m1 -E "^${1}[[:space:]]*=" "${2}" 2>/dev/null) || return 0
	line=${line#*=}
	line=${line#"${line%%[![:space:]]*}"}
	echo "${line%"${line##*[![:space:]]}"}"
}

get_version() {
	[[ -n ${KV_FULL} ]] && return 0
	unset KV_DIR
	[[ -d ${KERNEL_DIR} ]] || return 1
	KV_DIR=${KERNEL_DIR}
	if [[ -z ${KBUILD_OUTPUT} && -L ${KERNEL_DIR}/source ]]; then
		KBUILD_OUTPUT=${KERNEL_DIR}
		KERNEL_DIR=$(readlink -f "${KERNEL_DIR}/source")
		KV_DIR=${KERNEL_DIR}
	fi
	local makefile=${KV_DIR}/Makefile
	[[ -s ${makefile} ]] || return 1
	KV_MAJOR=$(_shim_makefile_var VERSION "${makefile}")
	KV_MINOR=$(_shim_makefile_var PATCHLEVEL "${makefile}")
	KV_PATCH=$(_shim_makefile_var SUBLEVEL "${makefile}")
	KV_EXTRA=$(_shim_makefile_var EXTRAVERSION "${makefile}")
	[[ -n ${KV_MAJOR} && -n ${KV_MINOR} && -n ${KV_PATCH} ]] || return 1

	KV_OUT_DIR=${KV_DIR}
	[[ -n ${KBUILD_OUTPUT} && -d ${KBUILD_OUTPUT} ]] && KV_OUT_DIR=${KBUILD_OUTPUT}

	local base=${KV_MAJOR}.${KV_MINOR}.${KV_PATCH}${KV_EXTRA} release=''
	[[ -s ${KV_OUT_DIR}/include/config/kernel.release ]] &&
		read -r release < "${KV_OUT_DIR}/include/config/kernel.release"
	KV_LOCAL=''
	[[ ${release} == "${base}"?* ]] && KV_LOCAL=${release#"${base}"}
	KV_FULL=${base}${KV_LOCAL}
	return 0
}

get_running_version() {
	KV_FULL=$(uname -r)
	local numbers=${KV_FULL%%[-+_]*}
	KV_MAJOR=$(ver_cut 1 "${numbers}")
	KV_MINOR=$(ver_cut 2 "${numbers}")
	KV_PATCH=$(ver_cut 3 "${numbers}")
	KV_EXTRA=${KV_FULL#"${numbers}"}
	: "${KV_PATCH:=0}"
}

linux-info_get_any_version() {
	if ! get_version; then
		ewarn "Unable to calculate Linux Kernel version for build, attempting to use running version"
		get_running_version
	fi
}

linux_config_src_exists() { [[ -n ${KV_OUT_DIR} && -s ${KV_OUT_DIR}/.config ]]; }
linux_config_exists() { linux_config_src_exists; }
linux_config_path() { linux_config_src_exists && echo "${KV_OUT_DIR}/.config"; }
require_configured_kernel() {
	linux_config_src_exists || die "Kernel not configured; no .config found in ${KV_OUT_DIR}"
	get_version || die "Unable to determine configured kernel version"
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

# kernel_is [-lt|-le|-eq|-ne|-ge|-gt] <major> [<minor> [<patch>]]: missing
# components compare equal, as in the real eclass
kernel_is() {
	linux-info_get_any_version
	local op=-eq
	case ${1#-} in
		lt|le|eq|ne|ge|gt) op=-${1#-}; shift ;;
	esac
	local have=$(( (KV_MAJOR << 16) + (KV_MINOR << 8) + KV_PATCH ))
	local want=$(( (${1:-${KV_MAJOR}} << 16) + (${2:-${KV_MINOR}} << 8) + ${3:-${KV_PATCH}} ))
	test "${have}" "${op}" "${want}"
}

check_extra_config() {
	[[ -n ${CHECKCONFIG_DONOTHING} ]] && return 0
	require_configured_kernel
	local entry name fatal message missing=()
	for entry in ${CONFIG_CHECK}; do
		fatal=1
		[[ ${entry} == '~'* ]] && { fatal=; entry=${entry#\~}; }
		name=${entry#!}
		if [[ ${entry} == '!'* ]]; then
			linux_chkconfig_present "${name}" || continue
			message="CONFIG_${name} must not be set in the kernel"
		else
			linux_chkconfig_present "${name}" && continue
			message="CONFIG_${name} is required in the kernel"
		fi
		local custom=ERROR_${name}
		[[ -n ${!custom} ]] && message=${!custom}
		if [[ -n ${fatal} ]]; then
			eerror "${message}"
			missing+=( "${name}" )
		else
			ewarn "${message}"
		fi
	done
	[[ ${#missing[@]} -eq 0 ]] || die "kernel configuration does not match CONFIG_CHECK: ${missing[*]}"
}

linux-info_pkg_setup() {
	linux-info_get_any_version
	[[ -n ${CONFIG_CHECK} ]] && check_extra_config
	return 0
}

EXPORT_FUNCTIONS pkg_setup

fi
