# A small PMS (Package Manager Specification) environment for testing
# eclasses in real bash without Portage.  Source it, set EAPI and the
# package variables, then `inherit` eclasses found in SHIM_ECLASSDIRS.
#
# Inputs (environment):
#   SHIM_ECLASSDIRS  colon-separated eclass directories, searched in order
#   USE              enabled flags (space separated)
#   SHIM_INSTALLED   installed packages as CPVs (cat/pn-ver), space/newline separated
#   T, D, WORKDIR    temporary, image and work directories (created if missing)
# Outputs:
#   ${T}/shim-messages.log  one "LEVEL<TAB>text" line per einfo/elog/ewarn/eerror/eqawarn/die
#   ${T}/shim-dostrip.log   paths given to `dostrip -x`
#   E_IUSE E_DEPEND E_RDEPEND E_PDEPEND E_BDEPEND E_IDEPEND E_REQUIRED_USE  eclass metadata,
#   accumulated as Portage does; INHERITED lists inherited eclasses.

shopt -s extglob

: "${T:?T must be set}" "${D:?D must be set}"
mkdir -p "${T}" "${D}" || exit 1
: "${WORKDIR:=${T}/work}"
: "${EPREFIX:=}"
: "${ROOT:=}"
: "${SYSROOT:=}"
: "${BROOT:=}"
# shellcheck disable=SC2034 # PMS variables, read by the eclasses
EROOT=${ROOT%/}${EPREFIX}
# shellcheck disable=SC2034 # PMS variables, read by the eclasses
ESYSROOT=${SYSROOT%/}${EPREFIX}
ED=${D%/}${EPREFIX}
# as Portage: the image directory under the prefix exists before src_install
mkdir -p "${ED}" || exit 1
: "${MERGE_TYPE:=source}"
: "${ARCH:=amd64}"
INHERITED=
# shellcheck disable=SC2034 # outputs, read by the tests
E_IUSE='' E_DEPEND='' E_RDEPEND='' E_PDEPEND='' E_BDEPEND='' E_IDEPEND='' E_REQUIRED_USE=''
_SHIM_INSDEST=/
_SHIM_NONFATAL=

__shim_message() {
	local level=${1}
	shift
	printf ' * %s\n' "${*}" >&2
	printf '%s\t%s\n' "${level}" "${*}" >> "${T}/shim-messages.log"
}

die() {
	if [[ ${1} == -n ]]; then
		shift
		if [[ -n ${_SHIM_NONFATAL} ]]; then
			__shim_message ERROR "${*}"
			return 1
		fi
	fi
	__shim_message DIE "${*:-(no message)}"
	printf 'die called from %s\n' "${FUNCNAME[*]:1}" >&2
	exit 1
}

assert() {
	local status
	for status in "${PIPESTATUS[@]}"; do
		[[ ${status} -eq 0 ]] || die "${@}"
	done
}

nonfatal() {
	local _SHIM_NONFATAL=1
	"${@}"
}

einfo() { __shim_message INFO "${*}"; }
einfon() { __shim_message INFO "${*}"; }
elog() { __shim_message LOG "${*}"; }
ewarn() { __shim_message WARN "${*}"; }
eerror() { __shim_message ERROR "${*}"; }
eqawarn() { __shim_message QA "${*}"; }
ebegin() { __shim_message BEGIN "${*}"; }
eend() {
	local status=${1:-0}
	shift
	__shim_message END "${status}${*:+ ${*}}"
	return "${status}"
}

debug-print() { :; }
debug-print-function() { :; }
debug-print-section() { :; }

has() {
	local needle=${1} item
	shift
	for item; do
		[[ ${item} == "${needle}" ]] && return 0
	done
	return 1
}

hasv() {
	has "${@}" && echo "${1}"
}

# profile-implicit flags (IUSE_IMPLICIT and the ARCH USE_EXPAND): always in
# IUSE; the one matching ${ARCH}, kernel_linux and elibc_glibc are enabled
__SHIM_ARCHES="alpha amd64 arm arm64 hppa loong m68k mips ppc ppc64 riscv s390 sparc x86"

__shim_iuse_effective() {
	local flag
	for flag in ${E_IUSE} ${IUSE} ${__SHIM_ARCHES} kernel_linux elibc_glibc; do
		echo "${flag#[+-]}"
	done
}

in_iuse() {
	[[ ${#} -eq 1 ]] || die "in_iuse: exactly one flag expected"
	local -a flags
	mapfile -t flags < <(__shim_iuse_effective)
	has "${1}" "${flags[@]}"
}

use() {
	local flag=${1} invert=''
	if [[ ${flag} == '!'* ]]; then
		invert=1
		flag=${flag#!}
	fi
	in_iuse "${flag}" || die "use: USE flag '${flag}' is not in IUSE (${E_IUSE} ${IUSE})"
	local -a enabled
	read -ra enabled <<<"${USE} ${ARCH} kernel_linux elibc_glibc"
	if has "${flag}" "${enabled[@]}"; then
		[[ -z ${invert} ]]
	else
		[[ -n ${invert} ]]
	fi
}

usev() { use "${1}" && echo "${2:-${1#!}}"; }
usex() {
	if use "${1}"; then echo "${2-yes}${4}"; else echo "${3-no}${5}"; fi
}

# version comparison for plain dotted numbers with an optional suffix, via sort -V
__shim_vercmp() {
	[[ ${1} == "${2}" ]] && { echo 0; return; }
	local first
	first=$(printf '%s\n%s\n' "${1}" "${2}" | sort -V | head -n 1)
	if [[ ${first} == "${1}" ]]; then echo -1; else echo 1; fi
}

ver_test() {
	[[ ${#} -eq 3 ]] || die "ver_test: three arguments expected (shim)"
	local cmp
	cmp=$(__shim_vercmp "${1}" "${3}")
	case ${2} in
		-lt) [[ ${cmp} -lt 0 ]] ;;
		-le) [[ ${cmp} -le 0 ]] ;;
		-eq) [[ ${cmp} -eq 0 ]] ;;
		-ne) [[ ${cmp} -ne 0 ]] ;;
		-ge) [[ ${cmp} -ge 0 ]] ;;
		-gt) [[ ${cmp} -gt 0 ]] ;;
		*) die "ver_test: bad operator ${2}" ;;
	esac
}

ver_cut() {
	local range=${1} version=${2-${PV}} from to
	local -a parts
	IFS=.-_ read -ra parts <<<"${version}"
	from=${range%-*}
	to=${range#*-}
	[[ ${range} == *-* ]] || to=${from}
	[[ -z ${to} ]] && to=${#parts[@]}
	local IFS=.
	echo "${parts[*]:from-1:to-from+1}"
}

# split "cat/pn-ver" into "cat/pn" and "ver" (PMS: the version starts after the last "-<digit>")
__shim_split_cpv() {
	if [[ ${1} =~ ^(.+)-([0-9][^-]*(-r[0-9]+)?)$ ]]; then
		printf '%s\n%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	else
		printf '%s\n\n' "${1}"
	fi
}

# print installed CPVs matching an atom (operators = ~ >= > <= <, slot and USE deps ignored)
__shim_match() {
	local atom=${1} op='' cp ver cpv icp iver
	atom=${atom%%\[*}
	atom=${atom%%:*}
	[[ ${atom} =~ ^(\>=|\<=|=|~|\>|\<) ]] && op=${BASH_REMATCH[1]}
	atom=${atom#"${op}"}
	if [[ -n ${op} ]]; then
		{ read -r cp; read -r ver; } < <(__shim_split_cpv "${atom}")
		ver=${ver%\*}
	else
		cp=${atom}
	fi
	for cpv in ${SHIM_INSTALLED}; do
		{ read -r icp; read -r iver; } < <(__shim_split_cpv "${cpv}")
		[[ ${icp} == "${cp}" ]] || continue
		case ${op} in
			'') ;;
			'~') [[ ${iver%-r*} == "${ver}" ]] || continue ;;
			'=') [[ ${iver} == "${ver}" ]] || continue ;;
			'>=') ver_test "${iver}" -ge "${ver}" || continue ;;
			'>') ver_test "${iver}" -gt "${ver}" || continue ;;
			'<=') ver_test "${iver}" -le "${ver}" || continue ;;
			'<') ver_test "${iver}" -lt "${ver}" || continue ;;
		esac
		echo "${cpv}"
	done
}

has_version() {
	while [[ ${1} == -* ]]; do shift; done
	[[ -n $(__shim_match "${1}") ]]
}

best_version() {
	while [[ ${1} == -* ]]; do shift; done
	local -a matches
	mapfile -t matches < <(__shim_match "${1}")
	[[ ${#matches[@]} -gt 0 ]] || return 1
	printf '%s\n' "${matches[@]}" | sort -V | tail -n 1
}

inherit() {
	local name dir file
	local -a dirs
	IFS=: read -ra dirs <<<"${SHIM_ECLASSDIRS:?SHIM_ECLASSDIRS must be set}"
	for name; do
		file=
		for dir in "${dirs[@]}"; do
			if [[ -f ${dir}/${name}.eclass ]]; then
				file=${dir}/${name}.eclass
				break
			fi
		done
		[[ -n ${file} ]] || die "inherit: ${name}.eclass not found in ${SHIM_ECLASSDIRS}"

		# as Portage: collect each eclass' metadata apart from the ebuild's
		local var
		local -A saved=() wasset=()
		for var in IUSE DEPEND RDEPEND PDEPEND BDEPEND IDEPEND REQUIRED_USE; do
			if [[ -v ${var} ]]; then
				wasset[${var}]=1
				saved[${var}]=${!var}
			fi
			unset "${var}"
		done

		local outer_eclass=${ECLASS}
		ECLASS=${name}
		# shellcheck disable=SC1090
		source "${file}" || die "inherit: sourcing ${file} failed"
		ECLASS=${outer_eclass}

		for var in IUSE DEPEND RDEPEND PDEPEND BDEPEND IDEPEND REQUIRED_USE; do
			local collected=E_${var}
			[[ -v ${var} ]] && printf -v "${collected}" '%s %s' "${!collected}" "${!var}"
			if [[ -n ${wasset[${var}]} ]]; then
				printf -v "${var}" '%s' "${saved[${var}]}"
			else
				unset "${var}"
			fi
		done
		has "${name}" ${INHERITED} || INHERITED+=" ${name}"
	done
}

EXPORT_FUNCTIONS() {
	[[ -n ${ECLASS} ]] || die "EXPORT_FUNCTIONS outside of an eclass"
	local phase
	for phase; do
		eval "${phase}() { ${ECLASS}_${phase} \"\${@}\"; }"
	done
}

# ---- src_install helpers, all writing under ${ED} ----

into() { _SHIM_DESTTREE=${1}; }
insinto() { _SHIM_INSDEST=${1}; }
exeinto() { _SHIM_EXEDEST=${1}; }
docinto() { _SHIM_DOCDEST=${1}; }

__shim_fail() {
	if [[ -n ${_SHIM_NONFATAL} ]]; then
		__shim_message ERROR "${*}"
		return 1
	fi
	die "${@}"
}

dodir() {
	local dir
	for dir; do
		mkdir -p -- "${ED}${dir}" || { __shim_fail "dodir ${dir} failed"; return 1; }
	done
}

keepdir() {
	local dir
	for dir; do
		dodir "${dir}" && : > "${ED}${dir}/.keep_shim" || return 1
	done
}

doins() {
	local recursive='' file
	if [[ ${1} == -r ]]; then
		recursive=1
		shift
	fi
	mkdir -p -- "${ED}${_SHIM_INSDEST}" || { __shim_fail "doins: cannot create ${_SHIM_INSDEST}"; return 1; }
	for file; do
		if [[ -d ${file} && -n ${recursive} ]]; then
			cp -R -- "${file}" "${ED}${_SHIM_INSDEST}/" || { __shim_fail "doins -r ${file} failed"; return 1; }
		else
			install -m 0644 -- "${file}" "${ED}${_SHIM_INSDEST}/" || { __shim_fail "doins ${file} failed"; return 1; }
		fi
	done
}

newins() {
	[[ ${#} -eq 2 ]] || die "newins: <file> <new name> expected"
	mkdir -p -- "${ED}${_SHIM_INSDEST}" || { __shim_fail "newins: cannot create ${_SHIM_INSDEST}"; return 1; }
	if [[ ${1} == - ]]; then
		cat > "${ED}${_SHIM_INSDEST}/${2}" || { __shim_fail "newins - ${2} failed"; return 1; }
	else
		install -m 0644 -- "${1}" "${ED}${_SHIM_INSDEST}/${2}" || { __shim_fail "newins ${1} failed"; return 1; }
	fi
}

dodoc() {
	local dest=${ED}/usr/share/doc/${PF}/${_SHIM_DOCDEST}
	mkdir -p -- "${dest}" && install -m 0644 -- "${@}" "${dest}/" || { __shim_fail "dodoc ${*} failed"; return 1; }
}

einstalldocs() {
	local doc
	for doc in README* ChangeLog AUTHORS NEWS TODO CHANGES THANKS BUGS FAQ CREDITS CHANGELOG; do
		[[ -f ${doc} && -s ${doc} ]] && dodoc "${doc}"
	done
	return 0
}

fperms() {
	local mode=${1} path
	shift
	for path; do
		chmod "${mode}" -- "${ED}${path}" || { __shim_fail "fperms ${mode} ${path} failed"; return 1; }
	done
}

dosym() {
	[[ ${#} -eq 2 ]] || die "dosym: <target> <link> expected"
	mkdir -p -- "${ED}${2%/*}" && ln -snf -- "${1}" "${ED}${2}" || { __shim_fail "dosym ${*} failed"; return 1; }
}

__shim_install_exe() {
	local dest=${1} file
	shift
	mkdir -p -- "${ED}${dest}" || { __shim_fail "cannot create ${dest}"; return 1; }
	for file; do
		install -m 0755 -- "${file}" "${ED}${dest}/" || { __shim_fail "installing ${file} into ${dest} failed"; return 1; }
	done
}

dobin() { __shim_install_exe "${_SHIM_DESTTREE:-/usr}/bin" "${@}"; }
dosbin() { __shim_install_exe "${_SHIM_DESTTREE:-/usr}/sbin" "${@}"; }
doexe() { __shim_install_exe "${_SHIM_EXEDEST:-/}" "${@}"; }

# new<helper> <file> <new name>: install one file under another name (through a copy named so in ${T})
__shim_install_renamed() {
	local helper=${1} file=${2} name=${3}
	[[ ${#} -eq 3 ]] || die "new${helper#do}: <file> <new name> expected"
	local dir=${T}/shim-new.${RANDOM}
	mkdir -p -- "${dir}" && cp -- "${file}" "${dir}/${name}" || { __shim_fail "new${helper#do} ${file} ${name} failed"; return 1; }
	"${helper}" "${dir}/${name}"
}
newbin() { __shim_install_renamed dobin "${@}"; }
newexe() { __shim_install_renamed doexe "${@}"; }
insopts() { :; }
fowners() { :; }
# the sandbox is not emulated: nothing to allow
addpredict() { :; }
addwrite() { :; }

dostrip() {
	[[ ${1} == -x ]] && shift
	printf '%s\n' "${@}" >> "${T}/shim-dostrip.log"
}

emake() {
	local -a makeopts
	read -ra makeopts <<<"${MAKEOPTS}"
	local status=0
	"${MAKE:-make}" "${makeopts[@]}" "${@}" || status=${?}
	if [[ ${status} -ne 0 ]]; then
		[[ -n ${_SHIM_NONFATAL} ]] && return "${status}"
		die "emake failed: make ${*}"
	fi
}
