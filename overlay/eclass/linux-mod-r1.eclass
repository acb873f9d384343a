# Copyright 2026 dist-kernel authors
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: linux-mod-r1.eclass
# @MAINTAINER:
# dist-kernel authors <dist-kernel@localhost>
# @SUPPORTED_EAPIS: 8
# @PROVIDES: linux-info
# @BLURB: Build and install out-of-tree Linux kernel modules
# @DESCRIPTION:
# Drop-in replacement for the Gentoo eclass of the same name, meant to be
# picked up through "eclass-overrides = dist-kernel" on the gentoo repository
# so that module packages (zfs-kmod, nvidia-drivers, v4l2loopback...) work
# unchanged.
#
# With USE=dist-kernel the package depends on virtual/dist-kernel:= so that
# the package manager rebuilds it whenever a new kernel version is installed,
# and the modules are built for the kernel of the installed virtual.
#
# The kernel to build for is found in this order: KERNEL_DIR (with
# KBUILD_OUTPUT for out-of-tree kernel builds), the kernel of the installed
# virtual/dist-kernel (USE=dist-kernel), /usr/src/linux, the build directory
# of the running kernel, and the only /lib/modules/*/build there is.  When
# KERNEL_DIR or /usr/src/linux holds sources only (a kernel built with
# make O=... and KBUILD_OUTPUT unset), the build output is found as
# linux-info finds it, through /lib/modules/<version>/build.  The
# release (KV_FULL) is read from the build directory (UTS_RELEASE, then
# include/config/kernel.release), never guessed from the top Makefile, so
# that split header packages such as Debian's work.
#
# Modules are stripped, signed (USE=modules-sign) and compressed
# (USE=modules-compress, in the kernel's CONFIG_MODULE_COMPRESS_* format) by
# modules_post_process.  linux-mod-r1_pkg_postinst runs depmod for the
# kernel the modules were built for, and with MODULES_INITRAMFS_IUSE enabled
# rebuilds that kernel's initramfs through the dist-kernel runtime;
# linux-mod-r1_pkg_postrm rebuilds the images still holding the modules
# when the package is removed (Gentoo's eclass has no pkg_postrm).
# @EXAMPLE:
#
# A package whose sources build hello.ko (Kbuild or Makefile in ${S}) and
# gadget.ko (in gadget/, to be installed into kernel/drivers/misc):
#
# @CODE
# MODULES_KERNEL_MIN=5.10
# MODULES_INITRAMFS_IUSE=+initramfs
# inherit linux-mod-r1
#
# src_compile() {
#	local modlist=(
#		hello
#		gadget=kernel/drivers/misc:gadget
#	)
#	local modargs=( KERNEL_SRC="${KV_OUT_DIR}" )
#	linux-mod-r1_src_compile
# }
# @CODE
#
# When the package's own build system installs the modules:
#
# @CODE
# src_compile() {
#	emake "${MODULES_MAKEARGS[@]}" KDIR="${KV_OUT_DIR}"
# }
#
# src_install() {
#	emake "${MODULES_MAKEARGS[@]}" KDIR="${KV_OUT_DIR}" DESTDIR="${ED}" install
#	modules_post_process
# }
# @CODE

case ${EAPI} in
	8) ;;
	*) die "${ECLASS}: EAPI ${EAPI:-0} not supported" ;;
esac

if [[ -z ${_LINUX_MOD_R1_ECLASS} ]]; then
_LINUX_MOD_R1_ECLASS=1

# @ECLASS_VARIABLE: MODULES_OPTIONAL_IUSE
# @PRE_INHERIT
# @DEFAULT_UNSET
# @DESCRIPTION:
# A single USE flag (optionally prefixed with "+" to enable it by default)
# added to IUSE.  When set, every dependency and every function of this
# eclass is a no-op unless the flag is enabled.  Typical value: "+modules".

# @ECLASS_VARIABLE: MODULES_INITRAMFS_IUSE
# @PRE_INHERIT
# @DEFAULT_UNSET
# @DESCRIPTION:
# A single USE flag (optionally prefixed with "+") added to IUSE for
# packages whose modules may be needed in the initramfs (e.g. zfs-kmod).
# When it and USE=dist-kernel are enabled, linux-mod-r1_pkg_postinst
# rebuilds the initramfs (or UKI) of the kernel the modules were built for.
# Typical value: "+initramfs".

inherit dist-kernel-utils edo linux-info multiprocessing toolchain-funcs

IUSE="dist-kernel modules-compress modules-sign +strip ${MODULES_OPTIONAL_IUSE}"

# The slot operator makes the package manager rebuild modules for each new
# kernel.  Run time only, as in Gentoo's eclass: in DEPEND it would also pull
# a kernel into the build root (/) of a --root or cross build.
RDEPEND="
	sys-apps/kmod[tools]
	dist-kernel? ( virtual/dist-kernel:= )
"
DEPEND="
	virtual/linux-sources
"
BDEPEND="
	sys-apps/kmod[tools]
	modules-sign? (
		dev-libs/openssl
		virtual/pkgconfig
	)
"
IDEPEND="
	sys-apps/kmod[tools]
"

if [[ -n ${MODULES_INITRAMFS_IUSE} ]]; then
	# mount-boot_check_status in pkg_setup
	inherit mount-boot-utils
	IUSE+=" ${MODULES_INITRAMFS_IUSE}"
	IDEPEND+="
	${MODULES_INITRAMFS_IUSE#+}? (
		sys-kernel/dist-kernel-runtime
	)
"
fi

if [[ -n ${MODULES_OPTIONAL_IUSE} ]]; then
	RDEPEND="${MODULES_OPTIONAL_IUSE#+}? ( ${RDEPEND} )"
	DEPEND="${MODULES_OPTIONAL_IUSE#+}? ( ${DEPEND} )"
	BDEPEND="${MODULES_OPTIONAL_IUSE#+}? ( ${BDEPEND} )"
	IDEPEND="${MODULES_OPTIONAL_IUSE#+}? ( ${IDEPEND} )"
fi

# @ECLASS_VARIABLE: KERNEL_DIR
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# Kernel source (or build) directory to build modules for.  Overrides the
# automatic search described in the eclass description.

# @ECLASS_VARIABLE: KBUILD_OUTPUT
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# Build directory of a kernel built out of tree (make O=...), used with
# KERNEL_DIR.

# @ECLASS_VARIABLE: KERNEL_CHOST
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# CHOST of the toolchain building the modules (like the kernel's
# CROSS_COMPILE without the trailing dash).  Defaults to ${CHOST}.  The
# individual tools can be forced with KERNEL_{CC,CXX,LD,AR,NM,OBJCOPY,
# OBJDUMP,READELF,STRIP}.

# @ECLASS_VARIABLE: MODULES_EXTRA_EMAKE
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# Extra arguments for make when building modules; shell quoting is
# honoured, e.g. MODULES_EXTRA_EMAKE="KCFLAGS='-O2 -pipe'".

# @ECLASS_VARIABLE: MODULES_I_WANT_FULL_CONTROL
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# When non-empty, the eclass does not pass its toolchain choices (CC, LD,
# HOSTCC...) to make; the Makefiles' own defaults apply.

# @ECLASS_VARIABLE: MODULES_SIGN_HASH
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# With USE=modules-sign: hash algorithm for the signatures (sha256, sha512,
# ...).  Default: the kernel's CONFIG_MODULE_SIG_HASH.

# @ECLASS_VARIABLE: MODULES_SIGN_KEY
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# With USE=modules-sign: private key (PEM file, or a pkcs11: URI).  A
# relative path is relative to the kernel build directory.  Default: the
# kernel's CONFIG_MODULE_SIG_KEY.  A passphrase can be given in
# KBUILD_SIGN_PIN, which is unset after use.

# @ECLASS_VARIABLE: MODULES_SIGN_CERT
# @USER_VARIABLE
# @DESCRIPTION:
# With USE=modules-sign: X.509 certificate matching MODULES_SIGN_KEY.  A
# relative path is relative to the kernel build directory.
: "${MODULES_SIGN_CERT:=certs/signing_key.x509}"

# @ECLASS_VARIABLE: MODULES_KERNEL_MIN
# @DEFAULT_UNSET
# @DESCRIPTION:
# Lowest supported kernel version (1, 1.2 or 1.2.3): linux-mod-r1_pkg_setup
# dies for an older kernel.  Set before linux-mod-r1_pkg_setup runs.

# @ECLASS_VARIABLE: MODULES_KERNEL_MAX
# @DEFAULT_UNSET
# @DESCRIPTION:
# Highest known-good kernel version (1, 1.2 or 1.2.3), compared on as many
# components as it has (1.2 accepts 1.2.9).  A newer kernel only gets a
# prominent warning, so that users can still try.  Set before
# linux-mod-r1_pkg_setup runs.

# @ECLASS_VARIABLE: MODULES_MAKEARGS
# @OUTPUT_VARIABLE
# @DESCRIPTION:
# Array set by linux-mod-r1_pkg_setup: arguments for emake when building or
# installing modules (ARCH, toolchain, and settings leaving stripping,
# signing, compression and depmod to this eclass).  Ebuilds may append to it.

# @ECLASS_VARIABLE: modlist
# @DEFAULT_UNSET
# @DESCRIPTION:
# Array (usually local to src_compile) of the modules linux-mod-r1_src_compile
# builds, each entry being
# @CODE
# name=install-dir:source-dir:build-dir:make-target
# @CODE
# where only the name is required: install-dir defaults to "extra",
# source-dir to the current directory, build-dir to source-dir and the
# target is guessed.  Relative directories are relative to the current
# directory.

# @ECLASS_VARIABLE: modargs
# @DEFAULT_UNSET
# @DESCRIPTION:
# Array (usually local to src_compile) of extra make arguments for
# linux-mod-r1_src_compile, e.g. KDIR="${KV_OUT_DIR}".

# @ECLASS_VARIABLE: _MODULES_GLOBAL
# @INTERNAL
# @DESCRIPTION:
# Eclass state: which steps ran, and the current linux_moduleinto directory.
declare -gA _MODULES_GLOBAL=()

# @ECLASS_VARIABLE: _MODULES_INSTALL
# @INTERNAL
# @DESCRIPTION:
# Modules built by linux-mod-r1_src_compile: path of the .ko -> install dir.
declare -gA _MODULES_INSTALL=()

# @FUNCTION: linux-mod-r1_pkg_setup
# @DESCRIPTION:
# Find the kernel to build for and set KV_FULL, KV_MAJOR, KV_MINOR,
# KV_PATCH, KV_EXTRA, KV_DIR (sources) and KV_OUT_DIR (build output); check
# MODULES_KERNEL_MIN/MAX, CONFIG_CHECK (through linux-info) and the signing
# setup; pick a toolchain matching the kernel's compiler and fill
# MODULES_MAKEARGS.  Required before the other functions.  When the
# package's initramfs will be rebuilt (USE=dist-kernel and the
# MODULES_INITRAMFS_IUSE flag), first warn as Gentoo's eclass does when
# /boot (or the ESP) is listed in /etc/fstab but not mounted read-write.
# Does nothing else for binary package merges.
linux-mod-r1_pkg_setup() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_MODULES_GLOBAL[ran:pkg_setup]=1
	_modules_check_function ${#} 0 0 || return 0

	if [[ -z ${ROOT} && -n ${MODULES_INITRAMFS_IUSE} ]] &&
		use dist-kernel && use "${MODULES_INITRAMFS_IUSE#+}"
	then
		# not fatal here: pkg_postinst refuses, "emerge --config" finishes
		nonfatal mount-boot_check_status
	fi

	[[ ${MERGE_TYPE} != binary ]] || return 0

	_modules_find_kernel
	_modules_check_kernel_version
	_modules_check_kernel_built
	_modules_run_linux_info
	_modules_prepare_sign
	_modules_prepare_toolchain
	_modules_set_makeargs
}

# @FUNCTION: linux-mod-r1_src_compile
# @DESCRIPTION:
# Build every module of the modlist array (see its description) with
# MODULES_MAKEARGS and the modargs array.  The entries are first completed
# by modules_process_modlist.  Without an explicit target, the first target
# among modules, module, <name>.ko, default and all that the source
# directory's Makefile knows is used; when it knows none but the directory
# holds a Kbuild file, or has no Makefile at all, the module is built
# through the kernel's build system ("make -C ${KV_OUT_DIR} M=<source-dir>
# modules").  May be called several times.
linux-mod-r1_src_compile() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_modules_check_function ${#} 0 0 || return 0

	# shellcheck disable=SC2154 # set by the calling ebuild
	[[ ${modlist@a} == *a* && ${#modlist[@]} -gt 0 ]] ||
		die "${FUNCNAME[0]} was called without a 'modlist' array"

	modules_process_modlist

	local -a makeargs=( "${MODULES_MAKEARGS[@]}" )
	# shellcheck disable=SC2154 # set by the calling ebuild
	[[ ${modargs@a} == *a* ]] && makeargs+=( "${modargs[@]}" )

	local -A done_targets=()
	local entry name target status todo
	local -a fields targets
	for entry in "${modlist[@]}"; do
		name=${entry%%=*}
		# fields: 0 install-dir, 1 source-dir, 2 build-dir, 3 make target(s)
		IFS=: read -ra fields <<<"${entry#*=}"
		_MODULES_INSTALL[${fields[2]}/${name}.ko]=${fields[0]}

		pushd "${fields[1]}" >/dev/null || die "${FUNCNAME[0]}: cannot enter ${fields[1]}"

		# several modules often come from one directory built at once
		todo=''
		read -ra targets <<<"${fields[3]:-@default-goal}"
		for target in "${targets[@]}"; do
			if [[ " ${done_targets[${fields[1]}]} " != *" ${target} "* ]]; then
				todo=1
				done_targets[${fields[1]}]+=" ${target}"
			fi
		done

		if [[ -z ${todo} ]]; then
			einfo "Building ${name} module in ${fields[1]} ... already done."
		elif [[ -z ${fields[3]} && -n ${_MODULES_GLOBAL[kbuild:${fields[1]}]} ]]; then
			einfo "Building ${name} module in ${fields[1]} through the kernel build system ..."
			emake -C "${KV_OUT_DIR}" M="${fields[1]}" "${makeargs[@]}" modules
		else
			einfo "Building ${name} module in ${fields[1]} ..."
			# shellcheck disable=SC2086 # an entry may name several targets
			emake "${makeargs[@]}" ${fields[3]}
		fi
		status=${?}
		[[ ${status} -eq 0 ]] || die "${FUNCNAME[0]}: building ${name} failed"

		popd >/dev/null || die
		[[ -f ${fields[2]}/${name}.ko ]] ||
			die "${FUNCNAME[0]}: ${name}.ko was not found in ${fields[2]} after the build"
	done
}

# @FUNCTION: modules_process_modlist
# @DESCRIPTION:
# Complete, in place, every entry of the caller's modlist array to the
# full "name=install-dir:source-dir:build-dir:make-target" form: defaults
# filled in (see modlist), directories made absolute, and the make target
# guessed when none is given (left empty when the module is built through
# the kernel's build system or the Makefile's default goal).  Used by
# linux-mod-r1_src_compile, and by eclasses such as dkms.eclass that turn
# modlist into another build description.  Needs linux-mod-r1_pkg_setup.
# shellcheck disable=SC2120 # called without arguments; the count is checked
modules_process_modlist() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_modules_check_function ${#} 0 0 || return 0
	# errors name the function the ebuild called
	local me=${FUNCNAME[0]}
	[[ ${FUNCNAME[1]} == linux-mod-r1_src_compile ]] && me=${FUNCNAME[1]}

	# shellcheck disable=SC2154 # set by the calling ebuild
	[[ ${modlist@a} == *a* && ${#modlist[@]} -gt 0 ]] ||
		die "${me} was called without a 'modlist' array"

	local -a makeargs=( "${MODULES_MAKEARGS[@]}" )
	# shellcheck disable=SC2154 # set by the calling ebuild
	[[ ${modargs@a} == *a* ]] && makeargs+=( "${modargs[@]}" )

	local i entry name
	local -a fields
	for i in "${!modlist[@]}"; do
		entry=${modlist[i]}
		name=${entry%%=*}
		[[ -n ${name} && ${name} != *[:/]* ]] ||
			die "${me}: invalid modlist entry '${entry}'"

		fields=()
		[[ ${entry} == *=* ]] && IFS=: read -ra fields <<<"${entry#*=}"
		[[ ${#fields[@]} -le 4 ]] ||
			die "${me}: too many ':' in the modlist entry of ${name}"
		: "${fields[0]:=extra}" "${fields[1]:=${PWD}}"
		[[ ${fields[1]} == /* ]] || fields[1]=${PWD}/${fields[1]}
		: "${fields[2]:=${fields[1]}}"
		[[ ${fields[2]} == /* ]] || fields[2]=${PWD}/${fields[2]}

		if [[ -z ${fields[3]} ]]; then
			pushd "${fields[1]}" >/dev/null || die "${me}: cannot enter ${fields[1]}"
			fields[3]=$(_modules_guess_target "${name}" "${makeargs[@]}")
			popd >/dev/null || die
			if [[ ${fields[3]} == @kbuild ]]; then
				_MODULES_GLOBAL[kbuild:${fields[1]}]=1
				fields[3]=''
			fi
		fi
		modlist[i]="${name}=${fields[0]}:${fields[1]}:${fields[2]}:${fields[3]}"
	done
}

# @FUNCTION: linux-mod-r1_src_install
# @DESCRIPTION:
# Install the modules built by linux-mod-r1_src_compile into
# /lib/modules/${KV_FULL}/<install-dir>, run modules_post_process, then
# einstalldocs.
linux-mod-r1_src_install() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_modules_check_function ${#} 0 0 || return 0

	[[ ${#_MODULES_INSTALL[@]} -gt 0 ]] ||
		die "${FUNCNAME[0]} was called without running linux-mod-r1_src_compile"

	local saved=${_MODULES_GLOBAL[moduleinto]} mod
	for mod in "${!_MODULES_INSTALL[@]}"; do
		linux_moduleinto "${_MODULES_INSTALL[${mod}]}"
		linux_domodule "${mod}"
	done
	_MODULES_GLOBAL[moduleinto]=${saved}

	modules_post_process "/lib/modules/${KV_FULL}"
	einstalldocs
}

# @FUNCTION: linux-mod-r1_pkg_postinst
# @DESCRIPTION:
# Remove stale differently-compressed copies of the modules, update the
# module dependencies of the kernel the modules were built for (KV_FULL,
# never the running kernel) with depmod under ${EROOT}, and, when ROOT is
# empty and both USE=dist-kernel and the MODULES_INITRAMFS_IUSE flag are
# enabled, rebuild that kernel's initramfs (or UKI) through the runtime.
# With USE=dist-kernel alone, the runtime is called only when the image of
# that kernel is deferred (/var/lib/dist-kernel/pending/<KV>): it may be
# waiting for these modules because the root file system needs them.
linux-mod-r1_pkg_postinst() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_modules_check_function ${#} 0 0 || return 0

	dist-kernel_compressed_module_cleanup "${EROOT}/lib/modules/${KV_FULL}"
	_modules_update_depmod

	if [[ -z ${ROOT} && -n ${MODULES_INITRAMFS_IUSE} ]] &&
		use dist-kernel && use "${MODULES_INITRAMFS_IUSE#+}"
	then
		dist-kernel_reinstall_initramfs "${KV_DIR}" "${KV_FULL}"
	elif [[ -z ${ROOT} && -e ${EROOT}/var/lib/dist-kernel/pending/${KV_FULL} ]] &&
		in_iuse dist-kernel && use dist-kernel
	then
		# The image of this kernel was deferred in this emerge, possibly until
		# these modules are built (the root file system needs them): let the
		# runtime know they are merged.
		dist-kernel_reinstall_initramfs "${KV_DIR}" "${KV_FULL}"
	fi

	if has_version virtual/dist-kernel && ! use dist-kernel; then
		ewarn "virtual/dist-kernel is installed, but USE=dist-kernel is not enabled"
		ewarn "for ${CATEGORY}/${PN}: it will not be rebuilt automatically for new"
		ewarn "kernels.  Enabling the dist-kernel USE flag globally is recommended."
	fi

	[[ -n ${_MODULES_GLOBAL[ran:post_process]} ]] ||
		eqawarn "QA Notice: neither linux-mod-r1_src_install nor modules_post_process were used"
}

# @FUNCTION: linux-mod-r1_pkg_postrm
# @DESCRIPTION:
# When the package goes (not when a new version replaces it) with ROOT
# empty and both USE=dist-kernel and the MODULES_INITRAMFS_IUSE flag
# enabled: Portage leaves its modules under /lib/modules (UNINSTALL_IGNORE),
# so every initramfs (or UKI) holding them is rebuilt without them, once per
# kernel, through the runtime.  The runtime refuses (and the images keep the
# module) when the root file system is mounted with one of them.
linux-mod-r1_pkg_postrm() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ -z ${ROOT} && -z ${REPLACED_BY_VERSION} && -n ${MODULES_INITRAMFS_IUSE} ]] || return 0
	use dist-kernel && use "${MODULES_INITRAMFS_IUSE#+}" || return 0

	if ! type -P "${DIST_KERNEL_RUNTIME:-dist-kernel}" >/dev/null; then
		ewarn "The dist-kernel runtime is not installed: images holding the modules of"
		ewarn "${CATEGORY}/${PF} were not rebuilt.  Rebuild them with dracut by hand."
		return 0
	fi
	ebegin "Rebuilding the images that hold the modules of ${CATEGORY}/${PF} through dist-kernel"
	_dist-kernel_runtime modules removed "${CATEGORY}/${PF}"
	if ! eend ${?}; then
		eerror "The images holding the modules of ${CATEGORY}/${PF} were not rebuilt, see"
		eerror "the messages above; they still load those modules."
	fi
}

# @FUNCTION: linux_moduleinto
# @USAGE: <install-dir>
# @DESCRIPTION:
# Set the directory, relative to /lib/modules/${KV_FULL}, where
# linux_domodule installs modules (default "extra"); may contain
# subdirectories such as kernel/drivers/misc.
linux_moduleinto() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_modules_check_function ${#} 1 1 "<install-dir>" || return 0
	_MODULES_GLOBAL[moduleinto]=${1}
}

# @FUNCTION: linux_domodule
# @USAGE: <module>...
# @DESCRIPTION:
# Install the given .ko files into /lib/modules/${KV_FULL}/<install-dir>
# (see linux_moduleinto).
linux_domodule() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_modules_check_function ${#} 1 '' "<module>..." || return 0
	(
		insinto "/lib/modules/${KV_FULL}/${_MODULES_GLOBAL[moduleinto]:-extra}"
		doins "${@}"
	) || die "${FUNCNAME[0]}: installing ${*} failed"
}

# @FUNCTION: modules_post_process
# @USAGE: [<path>]
# @DESCRIPTION:
# Write the dracut add/omit snippet (see MODULES_INITRAMFS_IUSE), strip
# (USE=strip), sign (USE=modules-sign), check the version magic against
# KV_FULL, and compress (USE=modules-compress, in the kernel's
# CONFIG_MODULE_COMPRESS_* format) every .ko under ${ED}<path> (default
# /lib/modules/${KV_FULL}).  Only allowed in src_install; dies when no
# module is found.  Run by linux-mod-r1_src_install; call it directly when
# the package installs its modules itself.
modules_post_process() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	_modules_check_function ${#} 0 1 "[<path>]" || return 0
	[[ ${EBUILD_PHASE} == install ]] ||
		die "${FUNCNAME[0]} can only be called in the src_install phase"

	local path=${ED}${1-/lib/modules/${KV_FULL}}
	local -a mods=()
	if [[ -d ${path} ]]; then
		mapfile -td '' mods < <(find "${path}" -type f -name '*.ko' -print0 || die)
	fi
	[[ ${#mods[@]} -gt 0 ]] ||
		die "${FUNCNAME[0]} was called with no installed modules under ${path}"

	_modules_process_dracut_conf "${mods[@]##*/}"
	_modules_process_strip "${mods[@]}"
	_modules_process_sign "${mods[@]}"
	# after strip and sign: either could have damaged a module
	_modules_check_vermagic "${mods[@]}"
	_modules_process_compress "${mods[@]}"

	_MODULES_GLOBAL[ran:post_process]=1
}

# @FUNCTION: _modules_check_function
# @USAGE: [<count> <min> <max> [<usage>]]
# @INTERNAL
# @RETURN: 1 when the caller must do nothing (MODULES_OPTIONAL_IUSE disabled)
# @DESCRIPTION:
# Common checks: the optional flag, the argument count, and that
# linux-mod-r1_pkg_setup ran.
_modules_check_function() {
	if [[ -n ${MODULES_OPTIONAL_IUSE} ]] && ! use "${MODULES_OPTIONAL_IUSE#+}"; then
		return 1
	fi

	if [[ ${#} -gt 0 ]]; then
		if [[ ${1} -lt ${2} || ( -n ${3} && ${1} -gt ${3} ) ]]; then
			die "Usage: ${FUNCNAME[1]} ${4-(no arguments)}"
		fi
	fi

	[[ -n ${_MODULES_GLOBAL[ran:pkg_setup]} ]] ||
		die "${FUNCNAME[1]} was called without running linux-mod-r1_pkg_setup"
}

# @FUNCTION: _modules_kconfig
# @USAGE: <NAME>
# @INTERNAL
# @DESCRIPTION:
# Print the value of CONFIG_<NAME> in ${KV_OUT_DIR}/.config without quotes;
# prints nothing when it is not set.
_modules_kconfig() {
	local line
	line=$(grep -m1 "^CONFIG_${1}=" "${KV_OUT_DIR}/.config" 2>/dev/null) || return 0
	line=${line#*=}
	line=${line#\"}
	echo "${line%\"}"
}

# @FUNCTION: _modules_release_of
# @USAGE: <build dir>
# @INTERNAL
# @DESCRIPTION:
# Print the kernel release of a configured build directory: UTS_RELEASE from
# include/generated/utsrelease.h, else include/config/kernel.release.
# Prints nothing when neither exists.
_modules_release_of() {
	local dir=${1} line
	if [[ -r ${dir}/include/generated/utsrelease.h ]]; then
		while IFS= read -r line; do
			if [[ ${line} =~ ^#define[[:space:]]+UTS_RELEASE[[:space:]]+\"([^\"]+)\" ]]; then
				echo "${BASH_REMATCH[1]}"
				return 0
			fi
		done < "${dir}/include/generated/utsrelease.h"
	fi
	if [[ -s ${dir}/include/config/kernel.release ]]; then
		read -r line < "${dir}/include/config/kernel.release"
		echo "${line}"
	fi
}

# @FUNCTION: _modules_source_of
# @USAGE: <build dir>
# @INTERNAL
# @DESCRIPTION:
# Print the source tree of a build directory: its "source" link (make O=),
# the tree its Makefile includes (Debian's split headers), or itself.
_modules_source_of() {
	local dir=${1} line
	if [[ -d ${dir}/source && -f ${dir}/source/Makefile ]]; then
		readlink -f -- "${dir}/source"
		return 0
	fi
	if [[ -r ${dir}/Makefile ]]; then
		while IFS= read -r line; do
			if [[ ${line} =~ ^include[[:space:]]+(/[^[:space:]]+)/Makefile$ && -d ${BASH_REMATCH[1]} ]]; then
				echo "${BASH_REMATCH[1]}"
				return 0
			fi
		done < "${dir}/Makefile"
	fi
	echo "${dir}"
}

# @FUNCTION: _modules_output_of
# @USAGE: <source dir>
# @INTERNAL
# @DESCRIPTION:
# Print the build output directory of a kernel source tree built out of
# tree (make O=...), found as linux-info's get_version finds it: the
# version in the tree's Makefile (VERSION.PATCHLEVEL.SUBLEVEL plus
# EXTRAVERSION) names /lib/modules/<version>/build, looked up under
# ${ESYSROOT}, ${EROOT} and ${EPREFIX}.  A kernel with a local version
# (CONFIG_LOCALVERSION) has a longer release: then the only configured
# /lib/modules/*/build whose sources are <source dir> and whose release
# starts with that version.  Prints nothing when none is found.
_modules_output_of() {
	local src=${1} line version='' patchlevel='' sublevel='' extra=''
	[[ -r ${src}/Makefile ]] || return 0
	while IFS= read -r line; do
		[[ ${line} =~ ^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)[[:space:]]*=[[:space:]]*([^[:space:]]*) ]] || continue
		case ${BASH_REMATCH[1]} in
			VERSION) version=${BASH_REMATCH[2]} ;;
			PATCHLEVEL) patchlevel=${BASH_REMATCH[2]} ;;
			SUBLEVEL) sublevel=${BASH_REMATCH[2]} ;;
			EXTRAVERSION) extra=${BASH_REMATCH[2]} ;;
		esac
	done < "${src}/Makefile"
	[[ -n ${version} && -n ${patchlevel} && -n ${sublevel} ]] || return 0
	version+=.${patchlevel}.${sublevel}${extra}

	local base build real
	local -a bases=() found=()
	for base in "${ESYSROOT}" "${EROOT}" "${EPREFIX}"; do
		has "${base}" "${bases[@]}" || bases+=( "${base}" )
	done
	for base in "${bases[@]}"; do
		build=${base}/lib/modules/${version}/build
		if [[ -n $(_modules_release_of "${build}") ]]; then
			readlink -f -- "${build}"
			return 0
		fi
	done

	real=$(readlink -f -- "${src}") || return 0
	for base in "${bases[@]}"; do
		for build in "${base}/lib/modules/${version}"[-+_.]*/build; do
			[[ $(_modules_release_of "${build}") == "${version}"* ]] || continue
			[[ $(_modules_source_of "$(readlink -f -- "${build}")") == "${real}" ]] || continue
			build=$(readlink -f -- "${build}")
			has "${build}" "${found[@]}" || found+=( "${build}" )
		done
	done
	[[ ${#found[@]} -eq 1 ]] && echo "${found[0]}"
	return 0
}

# @FUNCTION: _modules_dist_kernel_dir
# @INTERNAL
# @DESCRIPTION:
# Print the build directory of the kernel installed with the current
# virtual/dist-kernel: /usr/src/linux-<KV>* whose release starts with the
# virtual's version converted by dist-kernel_PV_to_KV.  Dies when none.
_modules_dist_kernel_dir() {
	local virtual pv kv
	virtual=$(best_version virtual/dist-kernel)
	if [[ -z ${virtual} ]]; then
		eerror "USE=dist-kernel is enabled but virtual/dist-kernel is not installed."
		eerror "Install a distribution kernel (e.g. sys-kernel/gentoo-kernel) or"
		eerror "disable the dist-kernel USE flag for ${CATEGORY}/${PN}."
		die "USE=dist-kernel needs an installed virtual/dist-kernel"
	fi
	pv=${virtual#virtual/dist-kernel-}
	pv=${pv%-r[0-9]*}
	kv=$(dist-kernel_PV_to_KV "${pv}") || die

	local dir release
	local -a found=()
	for dir in "${ESYSROOT}/usr/src/linux-${kv}" "${ESYSROOT}/usr/src/linux-${kv}"[-+]*; do
		[[ -d ${dir} ]] || continue
		release=$(_modules_release_of "${dir}")
		[[ ${release} == "${kv}" || ${release} == "${kv}"[-+]* ]] && found+=( "${dir}" )
	done

	if [[ ${#found[@]} -eq 0 ]]; then
		eerror "USE=dist-kernel is enabled and ${virtual} is installed, but no configured"
		eerror "kernel tree for ${kv} was found at ${ESYSROOT}/usr/src/linux-${kv}*."
		eerror "Reinstall the kernel package, or set KERNEL_DIR to its build directory."
		die "kernel ${kv} of ${virtual} not found"
	fi
	echo "${found[0]}"
}

# @FUNCTION: _modules_find_kernel
# @INTERNAL
# @DESCRIPTION:
# Locate the kernel and set KV_DIR, KV_OUT_DIR, KV_FULL, KV_MAJOR, KV_MINOR,
# KV_PATCH, KV_EXTRA and KERNEL_DIR.  Dies listing what was tried when
# nothing usable is found.
_modules_find_kernel() {
	local out='' src='' user_dir='' tried=()
	# set when the ebuild called get_version or kernel_is before us
	local earlier=${KV_FULL} earlier_dir=${KV_OUT_DIR:-${KERNEL_DIR}}

	# linux-info defaults KERNEL_DIR to /usr/src/linux when inherited: that
	# value is not a choice of the user and must not beat USE=dist-kernel
	if [[ -n ${KERNEL_DIR} && ${KERNEL_DIR} != "${ROOT%/}/usr/src/linux" ]]; then
		tried+=( "KERNEL_DIR=${KERNEL_DIR}" )
		user_dir=1
		[[ -d ${KERNEL_DIR} ]] || die "KERNEL_DIR=${KERNEL_DIR} is not a directory"
		if [[ -n ${KBUILD_OUTPUT} ]]; then
			src=$(readlink -f -- "${KERNEL_DIR}") || die
			out=${KBUILD_OUTPUT}
		elif [[ -z $(_modules_release_of "${KERNEL_DIR}") ]] &&
			out=$(_modules_output_of "${KERNEL_DIR}") && [[ -n ${out} ]]
		then
			# sources only: the output of a make O= build, as linux-info finds it
			src=$(readlink -f -- "${KERNEL_DIR}") || die
		else
			# may be a build directory whose sources live elsewhere (Debian)
			out=${KERNEL_DIR}
		fi
	elif use dist-kernel; then
		out=$(_modules_dist_kernel_dir) || die
	else
		local candidate running
		running=$(uname -r)
		for candidate in "${ESYSROOT}/usr/src/linux" "${ESYSROOT}/lib/modules/${running}/build"; do
			tried+=( "${candidate}" )
			if [[ -n $(_modules_release_of "${candidate}") ]]; then
				out=${candidate}
				break
			fi
			# sources only (make O=): their output, as linux-info finds it
			if [[ ${candidate} == */usr/src/linux ]]; then
				out=$(_modules_output_of "${candidate}")
				if [[ -n ${out} ]]; then
					src=$(readlink -f -- "${candidate}") || die
					break
				fi
			fi
		done
		if [[ -z ${out} ]]; then
			# a single kernel's build tree is unambiguous (e.g. Debian's headers)
			local -a builds=()
			for candidate in "${ESYSROOT}"/lib/modules/*/build; do
				[[ -n $(_modules_release_of "${candidate}") ]] && builds+=( "${candidate}" )
			done
			tried+=( "${ESYSROOT}/lib/modules/*/build" )
			[[ ${#builds[@]} -eq 1 ]] && out=${builds[0]}
		fi
	fi

	[[ -n ${out} ]] && out=$(readlink -f -- "${out}")
	if [[ -z ${out} || -z $(_modules_release_of "${out}") ]]; then
		eerror "No configured kernel build tree was found to build modules for."
		eerror "Tried: ${tried[*]:-${out}}"
		eerror "A tree needs include/generated/utsrelease.h or include/config/kernel.release,"
		eerror ".config and Module.symvers.  Install a distribution kernel"
		eerror "(sys-kernel/gentoo-kernel, with USE=dist-kernel), point /usr/src/linux at"
		eerror "built sources, or set KERNEL_DIR (and KBUILD_OUTPUT) explicitly."
		die "no kernel sources found to build modules for"
	fi

	KV_OUT_DIR=${out}
	KV_DIR=${src:-$(_modules_source_of "${out}")}
	# a KERNEL_DIR the user chose stays as given, as linux-info leaves it:
	# package Makefiles read it from the environment (e.g. a build directory
	# whose sources live elsewhere); otherwise name the tree picked above
	[[ -n ${user_dir} ]] || KERNEL_DIR=${KV_DIR}
	KV_FULL=$(_modules_release_of "${KV_OUT_DIR}")

	# upstream numbers from the source Makefile: Debian's release reads 6.1.0-N
	local version='' patchlevel='' sublevel='' line
	if [[ -r ${KV_DIR}/Makefile ]]; then
		while IFS= read -r line; do
			case ${line} in
				"VERSION = "*) version=${line#*= } ;;
				"PATCHLEVEL = "*) patchlevel=${line#*= } ;;
				"SUBLEVEL = "*) sublevel=${line#*= } ;;
			esac
		done < "${KV_DIR}/Makefile"
	fi
	if [[ -z ${version} || -z ${patchlevel} ]]; then
		[[ ${KV_FULL} =~ ^([0-9]+)\.([0-9]+)(\.([0-9]+))? ]] ||
			die "cannot read a version from the kernel release '${KV_FULL}'"
		version=${BASH_REMATCH[1]} patchlevel=${BASH_REMATCH[2]} sublevel=${BASH_REMATCH[4]}
	fi
	KV_MAJOR=${version} KV_MINOR=${patchlevel} KV_PATCH=${sublevel:-0}
	# what follows the release's own numbers, e.g. -gentoo-dist or -56-amd64
	# shellcheck disable=SC2034 # linux-info's variable, read by ebuilds
	[[ ${KV_FULL} =~ ^[0-9]+(\.[0-9]+)*(.*)$ ]] && KV_EXTRA=${BASH_REMATCH[2]}

	if [[ -n ${earlier} && ${earlier} != "${KV_FULL}" ]]; then
		ewarn "Before linux-mod-r1_pkg_setup, ${PN}'s ebuild looked at kernel ${earlier}"
		ewarn "(found by linux-info at ${earlier_dir:-the running kernel}), but the modules are built for"
		ewarn "${KV_FULL}: the ebuild's own kernel version checks were made against"
		ewarn "${earlier}.  Point /usr/src/linux at the kernel to build for"
		ewarn "(eselect kernel) to make both agree."
	fi
	einfo "Building modules for kernel ${KV_FULL} (${KV_MAJOR}.${KV_MINOR}.${KV_PATCH})"
	einfo "  build directory: ${KV_OUT_DIR}"
	einfo "  source directory: ${KV_DIR}"
}

# @FUNCTION: _modules_check_kernel_version
# @INTERNAL
# @DESCRIPTION:
# Die when the kernel is older than MODULES_KERNEL_MIN; warn loudly when it
# is newer than MODULES_KERNEL_MAX on the components MAX has.
_modules_check_kernel_version() {
	local kv=${KV_MAJOR}.${KV_MINOR}.${KV_PATCH}

	if [[ -n ${MODULES_KERNEL_MIN} ]] && ver_test "${kv}" -lt "${MODULES_KERNEL_MIN}"; then
		eerror "${P} needs a kernel of version ${MODULES_KERNEL_MIN} or newer,"
		eerror "but the kernel to build for is ${KV_FULL} (${kv}).  Please upgrade it."
		die "kernel ${KV_FULL} is too old for ${P} (minimum ${MODULES_KERNEL_MIN})"
	fi

	if [[ -n ${MODULES_KERNEL_MAX} ]]; then
		local dots=${MODULES_KERNEL_MAX//[^.]/}
		local max=${MODULES_KERNEL_MAX}
		if ver_test "$(ver_cut "1-$(( ${#dots} + 1 ))" "${kv}")" -gt "${max}"; then
			[[ ${#dots} -lt 2 ]] && max+=.x
			ewarn
			ewarn " *** WARNING *** "
			ewarn
			ewarn "${PN} is known to break with new kernel versions, and the kernel"
			ewarn "${KV_FULL} is newer than the newest tested one (${max})."
			ewarn "Consider staying on a supported kernel such as:"
			ewarn "    <=virtual/dist-kernel-${max}"
			ewarn "    <=sys-kernel/gentoo-kernel-${max} or <=sys-kernel/gentoo-sources-${max}"
			ewarn "(long term support branches are the safest with out-of-tree modules)."
			ewarn
		fi
	fi
}

# @FUNCTION: _modules_check_kernel_built
# @INTERNAL
# @DESCRIPTION:
# Die with an explanation when the build tree lacks a readable
# Module.symvers or .config (kernel never built, or built with umask 077).
_modules_check_kernel_built() {
	local file
	for file in "${KV_OUT_DIR}/.config" "${KV_OUT_DIR}/Module.symvers"; do
		if [[ ! -f ${file} ]]; then
			eerror "${file} was not found: the kernel ${KV_FULL} at ${KV_OUT_DIR}"
			eerror "has not been configured and built.  Build it fully (make && make"
			eerror "modules_install), or use a distribution kernel such as"
			eerror "sys-kernel/gentoo-kernel that does it for you."
			die "built kernel sources are required to build kernel modules"
		fi
		if [[ ! -r ${file} ]]; then
			eerror "${file} exists but is not readable by uid ${EUID}."
			eerror "The kernel was probably built with umask 077; rebuild it with umask 022."
			die "no read access to ${file}"
		fi
	done
}

# @FUNCTION: _modules_run_linux_info
# @INTERNAL
# @DESCRIPTION:
# Let linux-info process CONFIG_CHECK (always checking MODULES, and that
# TRIM_UNUSED_KSYMS is off unless the kernel has a whitelist) with the
# KV_* variables found above.
_modules_run_linux_info() {
	local CONFIG_CHECK="${CONFIG_CHECK} MODULES"
	if [[ -n $(_modules_kconfig UNUSED_KSYMS_WHITELIST) ]]; then
		CONFIG_CHECK+=" ~!TRIM_UNUSED_KSYMS"
	else
		CONFIG_CHECK+=" !TRIM_UNUSED_KSYMS"
	fi
	# shellcheck disable=SC2034 # read by linux-info: keep the KV_* found above
	SKIP_KERNEL_BINPKG_ENV_RESET=1
	linux-info_pkg_setup
}

# @FUNCTION: _modules_prepare_sign
# @INTERNAL
# @DESCRIPTION:
# With USE=modules-sign, resolve MODULES_SIGN_HASH/KEY/CERT (defaults from
# the kernel configuration, relative paths from KV_OUT_DIR) and die early
# when signing cannot work.  Without it, warn when the kernel enforces
# signatures.
_modules_prepare_sign() {
	if ! use modules-sign; then
		if [[ $(_modules_kconfig MODULE_SIG_FORCE) == y ]]; then
			ewarn "Kernel ${KV_FULL} only loads signed modules (CONFIG_MODULE_SIG_FORCE=y)"
			ewarn "but USE=modules-sign is disabled: ${PN}'s modules will not load."
		fi
		return 0
	fi

	local problem=''
	if [[ -z $(_modules_kconfig MODULE_SIG) ]]; then
		problem="CONFIG_MODULE_SIG is not set in the kernel"
	fi
	: "${MODULES_SIGN_HASH:=$(_modules_kconfig MODULE_SIG_HASH)}"
	: "${MODULES_SIGN_KEY:=$(_modules_kconfig MODULE_SIG_KEY)}"
	[[ -z ${problem} && -z ${MODULES_SIGN_HASH} ]] && problem="no hash: set MODULES_SIGN_HASH"
	[[ -z ${problem} && -z ${MODULES_SIGN_KEY} ]] && problem="no key: set MODULES_SIGN_KEY"

	[[ ${MODULES_SIGN_KEY} == @(/|pkcs11:)* ]] || MODULES_SIGN_KEY=${KV_OUT_DIR}/${MODULES_SIGN_KEY}
	[[ ${MODULES_SIGN_CERT} == /* ]] || MODULES_SIGN_CERT=${KV_OUT_DIR}/${MODULES_SIGN_CERT}

	if [[ -z ${problem} && ${MODULES_SIGN_KEY} != pkcs11:* && ! -f ${MODULES_SIGN_KEY} ]]; then
		problem="the private key ${MODULES_SIGN_KEY} was not found"
	fi
	if [[ -z ${problem} && ! -f ${MODULES_SIGN_CERT} ]]; then
		problem="the certificate ${MODULES_SIGN_CERT} was not found"
	fi

	if [[ -n ${problem} ]]; then
		eerror "USE=modules-sign needs the kernel's module signing set up, or the"
		eerror "MODULES_SIGN_KEY, MODULES_SIGN_CERT and MODULES_SIGN_HASH variables."
		eerror "See https://www.kernel.org/doc/html/latest/admin-guide/module-signing.html"
		die "USE=modules-sign is set but ${problem}"
	fi
}

# @FUNCTION: _modules_pick_tool
# @USAGE: <variable> <candidate>...
# @INTERNAL
# @DESCRIPTION:
# Set <variable> to the first candidate found on PATH, unless it is set.
_modules_pick_tool() {
	local var=${1} candidate
	[[ -n ${!var} ]] && return 0
	for candidate in "${@:2}"; do
		if type -P -- "${candidate}" >/dev/null; then
			printf -v "${var}" '%s' "${candidate}"
			return 0
		fi
	done
}

# @FUNCTION: _modules_prepare_toolchain
# @INTERNAL
# @DESCRIPTION:
# Set KERNEL_CHOST and KERNEL_{CC,CXX,LD,AR,NM,OBJCOPY,OBJDUMP,READELF,STRIP}
# to tools matching the compiler family and major version the kernel was
# built with (CONFIG_CC_IS_GCC/GCC_VERSION, CONFIG_CC_IS_CLANG/
# CLANG_VERSION, CONFIG_LD_IS_BFD/LLD); warn when no match is installed.
_modules_prepare_toolchain() {
	: "${KERNEL_CHOST:=${CHOST}}"
	local prefix=${KERNEL_CHOST:+${KERNEL_CHOST}-}
	local tool major='' family=''

	if [[ $(_modules_kconfig CC_IS_CLANG) == y ]]; then
		family=clang
		major=$(_modules_kconfig CLANG_VERSION)
		major=$(( ${major:-0} / 10000 ))
		local llvm=${BROOT}/usr/lib/llvm/${major}/bin/
		_modules_pick_tool KERNEL_CC "${llvm}clang" "${prefix}clang-${major}" "clang-${major}" "${prefix}clang" clang
		_modules_pick_tool KERNEL_CXX "${llvm}clang++" "${prefix}clang++-${major}" "clang++-${major}" "${prefix}clang++" clang++
		for tool in AR NM OBJCOPY OBJDUMP READELF STRIP; do
			_modules_pick_tool "KERNEL_${tool}" "${llvm}llvm-${tool,,}" "llvm-${tool,,}-${major}" "llvm-${tool,,}" "${prefix}${tool,,}" "${tool,,}"
		done
	elif [[ $(_modules_kconfig CC_IS_GCC) == y ]]; then
		family=gcc
		major=$(_modules_kconfig GCC_VERSION)
		major=$(( ${major:-0} / 10000 ))
		_modules_pick_tool KERNEL_CC "${prefix}gcc-${major}" "gcc-${major}" "${prefix}gcc" gcc
		_modules_pick_tool KERNEL_CXX "${prefix}g++-${major}" "g++-${major}" "${prefix}g++" g++
		for tool in AR NM OBJCOPY OBJDUMP READELF STRIP; do
			_modules_pick_tool "KERNEL_${tool}" "${prefix}${tool,,}" "${tool,,}"
		done
	fi

	if [[ $(_modules_kconfig LD_IS_LLD) == y ]]; then
		_modules_pick_tool KERNEL_LD "${BROOT}/usr/lib/llvm/${major}/bin/ld.lld" "${prefix}ld.lld" ld.lld
	else
		_modules_pick_tool KERNEL_LD "${prefix}ld.bfd" ld.bfd "${prefix}ld" ld
	fi

	# anything still unknown: the usual toolchain-funcs choices
	local CHOST=${KERNEL_CHOST:-${CHOST}}
	: "${KERNEL_CC:=$(tc-getCC)}" "${KERNEL_CXX:=$(tc-getCXX)}" "${KERNEL_LD:=$(tc-getLD)}"
	: "${KERNEL_AR:=$(tc-getAR)}" "${KERNEL_NM:=$(tc-getNM)}" "${KERNEL_OBJCOPY:=$(tc-getOBJCOPY)}"
	: "${KERNEL_OBJDUMP:=$(tc-getOBJDUMP)}" "${KERNEL_READELF:=$(tc-getREADELF)}"
	: "${KERNEL_STRIP:=$(tc-getSTRIP)}"

	einfo "Toolchain for kernel modules (override with KERNEL_CC, KERNEL_LD, ...):"
	einfo "  ${KERNEL_CC} ${KERNEL_LD} ${KERNEL_STRIP}"

	if [[ -n ${family} ]]; then
		local version
		version=$("${KERNEL_CC}" -dumpversion 2>/dev/null)
		if [[ ${family} == clang && $("${KERNEL_CC}" --version 2>/dev/null) != *clang* ]] ||
			[[ ${family} == gcc && $("${KERNEL_CC}" --version 2>/dev/null) == *clang* ]] ||
			[[ ${version%%.*} != "${major}" ]]
		then
			ewarn "Kernel ${KV_FULL} was built with ${family}-${major} but the modules are"
			ewarn "built with '${KERNEL_CC}' (version ${version:-unknown}).  This may fail or"
			ewarn "produce modules that misbehave: install ${family}-${major}, or set KERNEL_CC."
		fi
	fi
}

# @FUNCTION: _modules_set_makeargs
# @INTERNAL
# @DESCRIPTION:
# Fill the MODULES_MAKEARGS array.
_modules_set_makeargs() {
	MODULES_MAKEARGS=(
		ARCH="$(tc-arch-kernel)"
		V=1
		KBUILD_VERBOSE=1
		# warnings of out-of-tree code must not break the build
		CONFIG_WERROR=
		# leave stripping, signing, compression and depmod to this eclass
		CONFIG_MODULE_SIG_ALL=
		CONFIG_MODULE_COMPRESS_GZIP=
		CONFIG_MODULE_COMPRESS_XZ=
		CONFIG_MODULE_COMPRESS_ZSTD=
		DEPMOD=true
		STRIP=true
	)

	if [[ -z ${MODULES_I_WANT_FULL_CONTROL} ]]; then
		[[ -n ${KERNEL_CHOST} ]] && MODULES_MAKEARGS+=( CROSS_COMPILE="${KERNEL_CHOST}-" )
		MODULES_MAKEARGS+=(
			HOSTCC="$(tc-getBUILD_CC)"
			HOSTCXX="$(tc-getBUILD_CXX)"
			# build-host flags for helper programs some Makefiles compile;
			# the subshells keep tc-export_build_env out of the environment
			HOSTCFLAGS="$(tc-export_build_env; echo "${BUILD_CFLAGS}")"
			HOSTCXXFLAGS="$(tc-export_build_env; echo "${BUILD_CXXFLAGS}")"
			HOSTLDFLAGS="$(tc-export_build_env; echo "${BUILD_LDFLAGS}")"
			HOSTPKG_CONFIG="$(tc-getBUILD_PKG_CONFIG)"
			CC="${KERNEL_CC}"
			CXX="${KERNEL_CXX}"
			LD="${KERNEL_LD}"
			AR="${KERNEL_AR}"
			NM="${KERNEL_NM}"
			OBJCOPY="${KERNEL_OBJCOPY}"
			OBJDUMP="${KERNEL_OBJDUMP}"
			READELF="${KERNEL_READELF}"
		)
	fi

	# eval honours the user's quoting; a syntax error dies
	eval "MODULES_MAKEARGS+=( ${MODULES_EXTRA_EMAKE} )" || die "MODULES_EXTRA_EMAKE is not valid shell words"
}

# @FUNCTION: _modules_guess_target
# @USAGE: <name> <make argument>...
# @INTERNAL
# @DESCRIPTION:
# Print the make target to build module <name> in the current directory:
# the first of modules, module, <name>.ko, default and all the Makefile
# has; "@kbuild" to go through the kernel build system (Kbuild file, or no
# Makefile); empty for the Makefile's default goal.
_modules_guess_target() {
	local name=${1} target
	shift
	if [[ -f Makefile || -f makefile || -f GNUmakefile ]]; then
		for target in modules module "${name}.ko" default all; do
			# make -q exits 1 for a known target that needs building, 2 for an unknown one
			nonfatal emake "${@}" -q "${target}" &>/dev/null
			if [[ ${?} -eq 1 ]]; then
				echo "${target}"
				return 0
			fi
		done
		[[ -f Kbuild ]] && echo @kbuild
		return 0
	fi
	echo @kbuild
}

# @FUNCTION: modules_process_dracut.conf.d
# @USAGE: <module name>...
# @DESCRIPTION:
# Install the dracut snippet of _modules_process_dracut_conf for the given
# modules (names, with or without .ko): Gentoo's dkms.eclass calls it for
# modules DKMS builds later, outside modules_post_process.
modules_process_dracut.conf.d() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ ${#} -gt 0 ]] || die "Usage: ${FUNCNAME[0]} <module name>..."
	_modules_process_dracut_conf "${@}"
}

# @FUNCTION: _modules_process_dracut_conf
# @USAGE: <module file name>...
# @INTERNAL
# @DESCRIPTION:
# Install /usr/lib/dracut/dracut.conf.d/10-${PN}.conf telling dracut to add
# the modules to the initramfs when the MODULES_INITRAMFS_IUSE flag is
# enabled, and to leave them out otherwise (dracut would otherwise pick up
# stale or unwanted extra modules).
_modules_process_dracut_conf() {
	local action=omit
	if [[ -n ${MODULES_INITRAMFS_IUSE} ]] && use "${MODULES_INITRAMFS_IUSE#+}"; then
		action=add
	fi
	local -a names=( "${@%.ko}" )
	(
		insinto /usr/lib/dracut/dracut.conf.d
		newins - "10-${PN}.conf" <<<"${action}_drivers+=\" ${names[*]} \""
	) || die "installing the dracut configuration of ${PN} failed"
}

# @FUNCTION: _modules_process_strip
# @USAGE: <module>...
# @INTERNAL
# @DESCRIPTION:
# Tell the package manager not to strip the modules (a signature must stay
# valid), and strip unneeded symbols ourselves with USE=strip.
_modules_process_strip() {
	dostrip -x "${@#"${ED}"}"
	if use strip; then
		einfo "Stripping modules ..."
		"${KERNEL_STRIP}" --strip-unneeded -- "${@}" || die "stripping modules with ${KERNEL_STRIP} failed"
	fi
}

# @FUNCTION: _modules_find_sign_file
# @INTERNAL
# @DESCRIPTION:
# Print the path of a working sign-file program: the kernel's own
# scripts/sign-file, or one compiled from scripts/sign-file.c.
_modules_find_sign_file() {
	local candidate
	for candidate in "${KV_OUT_DIR}/scripts/sign-file" "${KV_DIR}/scripts/sign-file"; do
		if [[ -f ${candidate} && -x ${candidate} ]]; then
			echo "${candidate}"
			return 0
		fi
	done
	if [[ -f ${KV_DIR}/scripts/sign-file.c ]]; then
		local out=${T}/linux-mod-r1_sign-file
		einfo "Compiling sign-file ..." >&2
		local -a flags
		read -ra flags <<<"$(pkg-config --cflags --libs libcrypto 2>/dev/null || echo -lcrypto)"
		if "$(tc-getBUILD_CC)" -o "${out}" "${KV_DIR}/scripts/sign-file.c" "${flags[@]}" >&2; then
			echo "${out}"
			return 0
		fi
	fi
	return 1
}

# @FUNCTION: _modules_process_sign
# @USAGE: <module>...
# @INTERNAL
# @DESCRIPTION:
# With USE=modules-sign, sign each module with MODULES_SIGN_HASH/KEY/CERT.
_modules_process_sign() {
	use modules-sign || return 0

	local sign
	sign=$(_modules_find_sign_file) ||
		die "USE=modules-sign is set but neither ${KV_OUT_DIR}/scripts/sign-file nor ${KV_DIR}/scripts/sign-file.c is usable"
	[[ ${MODULES_SIGN_KEY} == pkcs11:* || -r ${MODULES_SIGN_KEY} ]] ||
		die "USE=modules-sign is set but the key ${MODULES_SIGN_KEY} is not readable"

	einfo "Signing modules (${MODULES_SIGN_HASH}) ..."
	local mod
	for mod; do
		"${sign}" "${MODULES_SIGN_HASH}" "${MODULES_SIGN_KEY}" "${MODULES_SIGN_CERT}" "${mod}" ||
			die "signing ${mod} failed"
	done
	# keep a key passphrase out of the saved environment and binary packages
	unset KBUILD_SIGN_PIN
}

# @FUNCTION: _modules_check_vermagic
# @USAGE: <module>...
# @INTERNAL
# @DESCRIPTION:
# Die when a module is unreadable by modinfo or was built for another
# kernel release than KV_FULL.
_modules_check_vermagic() {
	local mod vermagic
	for mod; do
		vermagic=$(LC_ALL=C modinfo -F vermagic -- "${mod}") ||
			die "modinfo cannot read ${mod} (broken module?)"
		vermagic=${vermagic%% *}
		[[ -n ${vermagic} ]] || die "modinfo found no kernel version in ${mod}"
		if [[ ${vermagic} != "${KV_FULL}" ]]; then
			eerror "${mod##*/} was built for kernel ${vermagic}, but ${KV_FULL} was expected."
			eerror "The build probably used the running kernel (uname -r) instead of"
			eerror "KV_OUT_DIR; please report this to the package's maintainer."
			die "module and kernel version mismatch in ${mod##*/}"
		fi
	done
}

# @FUNCTION: _modules_process_compress
# @USAGE: <module>...
# @INTERNAL
# @DESCRIPTION:
# With USE=modules-compress, compress the modules in the format the kernel
# is configured for (CONFIG_MODULE_COMPRESS_GZIP/XZ/ZSTD).
_modules_process_compress() {
	use modules-compress || return 0

	local -a compress=()
	if [[ $(_modules_kconfig MODULE_COMPRESS_XZ) == y ]]; then
		compress=( xz -q --check=crc32 --lzma2=dict=1MiB -T"$(makeopts_jobs)" )
	elif [[ $(_modules_kconfig MODULE_COMPRESS_GZIP) == y ]]; then
		if type -P pigz >/dev/null; then
			compress=( pigz -p"$(makeopts_jobs)" )
		else
			compress=( gzip )
		fi
	elif [[ $(_modules_kconfig MODULE_COMPRESS_ZSTD) == y ]]; then
		compress=( zstd -q --rm -T"$(makeopts_jobs)" )
	else
		ewarn "USE=modules-compress is set but kernel ${KV_FULL} has no CONFIG_MODULE_COMPRESS_*"
		ewarn "format enabled: leaving the modules uncompressed."
		return 0
	fi

	einfo "Compressing modules (${compress[0]}, as the kernel is configured) ..."
	"${compress[@]}" -- "${@}" || die "compressing modules with ${compress[0]} failed"
}

# @FUNCTION: _modules_update_depmod
# @INTERNAL
# @DESCRIPTION:
# Run depmod for KV_FULL under ${EROOT} (with the kernel's System.map when
# one is found, to report unresolved symbols).  A failure is reported but
# not fatal, as the modules are already merged.
_modules_update_depmod() {
	local root=${EROOT:-/}
	if [[ ! -d ${EROOT}/lib/modules/${KV_FULL} ]]; then
		ewarn "${EROOT}/lib/modules/${KV_FULL} does not exist, skipping depmod."
		return 0
	fi

	local map=${EROOT}/lib/modules/${KV_FULL}/build/System.map
	[[ -f ${map} ]] || map=${KV_OUT_DIR}/System.map
	[[ -f ${map} ]] || map=${EROOT}/boot/System.map-${KV_FULL}

	local -a args=( -a -b "${root}" )
	[[ -f ${map} ]] && args+=( -e -F "${map}" )
	if [[ -n ${EROOT} ]]; then
		# depmod -b does not move its configuration directories
		local conf
		for conf in etc run usr/local/lib lib; do
			args+=( --config="${EROOT}/${conf}/depmod.d" )
		done
	fi

	ebegin "Updating module dependencies for kernel ${KV_FULL}"
	depmod "${args[@]}" "${KV_FULL}"
	if ! eend ${?}; then
		eerror "depmod failed for kernel ${KV_FULL}: some modules may not load until"
		eerror "    depmod -a ${KV_FULL}"
		eerror "is run by hand."
	fi
}

fi

EXPORT_FUNCTIONS pkg_setup src_compile src_install pkg_postinst pkg_postrm
