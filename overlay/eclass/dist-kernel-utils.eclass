# Copyright 2026 dist-kernel authors
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: dist-kernel-utils.eclass
# @MAINTAINER:
# dist-kernel authors <dist-kernel@localhost>
# @SUPPORTED_EAPIS: 7 8
# @BLURB: Utility functions shared by Distribution Kernel packages and module packages
# @DESCRIPTION:
# Drop-in replacement for the Gentoo eclass of the same name, meant to be
# picked up through "eclass-overrides = dist-kernel" on the gentoo repository.
#
# The heavy work (building the initramfs or unified kernel image, calling the
# install backend and the boot loader plugins) is delegated to the dist-kernel
# runtime (sys-kernel/dist-kernel-runtime, command "dist-kernel").  The runtime
# writes the messages the administrator must see to ${DIST_KERNEL_ELOG} as
# "LOG|WARN|ERROR<TAB>text" lines; this eclass relays them with elog, ewarn
# and eerror so that they reach emerge's summary.
#
# Boot-affecting work only happens when ROOT is empty (i.e. "/").  For other
# roots the functions print how to finish the job later with
# "emerge --config".  Before that work, as Gentoo's eclass, they check with
# mount-boot-utils that /boot (and, on UEFI systems, the ESP) is mounted
# read-write when /etc/fstab lists it, and die otherwise telling to mount it
# and finish with "emerge --config".
#
# EAPI 7 is accepted as the Gentoo eclass accepts it, so that older module
# ebuilds inheriting this eclass keep working with the override.
# @EXAMPLE:
#
# @CODE
# inherit dist-kernel-utils
#
# pkg_postinst() {
#	# rebuild the initramfs (or UKI) of the kernel the modules were built for
#	dist-kernel_reinstall_initramfs "${KV_DIR}" "${KV_FULL}"
# }
# @CODE

case ${EAPI} in
	7|8) ;;
	*) die "${ECLASS}: EAPI ${EAPI:-0} not supported" ;;
esac

if [[ -z ${_DIST_KERNEL_UTILS_ECLASS} ]]; then
_DIST_KERNEL_UTILS_ECLASS=1

inherit mount-boot-utils toolchain-funcs

# @ECLASS_VARIABLE: KERNEL_EFI_ZBOOT
# @DEFAULT_UNSET
# @DESCRIPTION:
# If set to a non-null value, the kernel image of arm64, riscv and loong
# kernels is the self-decompressing EFI image arch/<arch>/boot/vmlinuz.efi
# (CONFIG_EFI_ZBOOT=y).  dist-kernel_reinstall_initramfs sets it from the
# kernel configuration when it finds CONFIG_EFI_ZBOOT=y.

# @ECLASS_VARIABLE: DIST_KERNEL_RUNTIME
# @USER_VARIABLE
# @DEFAULT_UNSET
# @DESCRIPTION:
# Command used to call the dist-kernel runtime.  Defaults to "dist-kernel"
# found on PATH (installed by sys-kernel/dist-kernel-runtime).  Mostly useful
# for testing, or to point at a wrapper.

# @ECLASS_VARIABLE: DIST_KERNEL_ELOG
# @OUTPUT_VARIABLE
# @DESCRIPTION:
# Set to "${T}/dist-kernel.elog" while the runtime runs.  The runtime appends
# "LOG|WARN|ERROR<TAB>text" lines to it, relayed afterwards with
# elog/ewarn/eerror.

# @FUNCTION: dist-kernel_get_image_path
# @DESCRIPTION:
# Print the path of the kernel image relative to the kernel build tree for
# the current ${ARCH}, e.g. "arch/x86/boot/bzImage" on amd64.  Dies on an
# architecture that has no known image.
dist-kernel_get_image_path() {
	case ${ARCH} in
		amd64|x86)
			echo arch/x86/boot/bzImage
			;;
		arm64|riscv)
			if [[ -n ${KERNEL_EFI_ZBOOT} ]]; then
				echo "arch/${ARCH}/boot/vmlinuz.efi"
			else
				echo "arch/${ARCH}/boot/Image.gz"
			fi
			;;
		loong)
			if [[ -n ${KERNEL_EFI_ZBOOT} ]]; then
				echo arch/loongarch/boot/vmlinuz.efi
			else
				echo arch/loongarch/boot/vmlinux.elf
			fi
			;;
		arm)
			echo arch/arm/boot/zImage
			;;
		hppa|ppc|ppc64|s390|sparc)
			# callers strip the last component with ${path%/*}: keep the "./"
			echo ./vmlinux
			;;
		*)
			die "${FUNCNAME[0]}: unsupported ARCH=${ARCH}"
			;;
	esac
}

# @FUNCTION: dist-kernel_PV_to_KV
# @USAGE: <pv>
# @DESCRIPTION:
# Convert a kernel package version to the kernel release it installs:
# a missing third component becomes ".0" and the first "_suffix" becomes
# "-suffix", e.g. 6.0_rc1 -> 6.0.0-rc1, 6.0 -> 6.0.0, 6.0.1_rc1 -> 6.0.1-rc1,
# 6.0.1 -> 6.0.1, 5.15.206_p2 -> 5.15.206-p2.
dist-kernel_PV_to_KV() {
	debug-print-function "${FUNCNAME[0]}" "${@}"

	[[ ${#} -eq 1 ]] || die "Usage: ${FUNCNAME[0]} <pv>"
	local pv=${1}
	local base=${pv%%_*} suffix=''
	[[ ${pv} == *_* ]] && suffix=-${pv#*_}
	local -a parts
	IFS=. read -ra parts <<<"${base}"
	[[ ${#parts[@]} -ge 2 && ${base} =~ ^[0-9]+(\.[0-9]+)+$ ]] ||
		die "${FUNCNAME[0]}: '${pv}' is not a kernel package version"
	# kernel releases always have three components (PMS versions may not)
	[[ ${#parts[@]} -eq 2 ]] && base+=.0
	echo "${base}${suffix}"
}

# @FUNCTION: dist-kernel_get_compressor
# @USAGE: <kernel config>|<suffix>
# @DESCRIPTION:
# Print the command line compressing modules the way the kernel is
# configured: the argument is the path of the kernel's .config (as Gentoo's
# kernel-build.eclass and kernel-install_test pass it; the suffix is then
# chosen by dist-kernel_get_module_suffix, i.e. only with USE=modules-compress),
# or directly a module suffix (.ko, .ko.gz, .ko.xz or .ko.zst).  Prints
# nothing for uncompressed modules.  Dies on an unknown suffix.
dist-kernel_get_compressor() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ ${#} -eq 1 ]] || die "Usage: ${FUNCNAME[0]} <kernel config>|<suffix>"
	local suffix=${1}
	if [[ ${suffix} != .ko* ]]; then
		suffix=$(dist-kernel_get_module_suffix "${1}") || die
	fi
	case ${suffix} in
		.ko) ;;
		.ko.gz) echo gzip ;;
		# settings matching what the kernel's modules_install uses
		.ko.xz) echo "xz --check=crc32 --lzma2=dict=1MiB" ;;
		.ko.zst) echo "zstd -q --rm" ;;
		*) die "${FUNCNAME[0]}: unknown module suffix '${suffix}'" ;;
	esac
}

# @FUNCTION: dist-kernel_get_module_suffix
# @USAGE: <kernel config>
# @DESCRIPTION:
# Print the suffix installed modules should have: ".ko" unless the package
# has a modules-compress USE flag that is enabled, then the suffix matching
# the kernel's CONFIG_MODULE_COMPRESS_* choice.  <kernel config> is the path
# of the kernel's .config, or of a directory holding one.
dist-kernel_get_module_suffix() {
	[[ ${#} -eq 1 ]] || die "Usage: ${FUNCNAME[0]} <kernel config>"
	local config=${1}
	# as in Gentoo's eclass: without USE=modules-compress the config is not read
	if ! in_iuse modules-compress || ! use modules-compress; then
		echo .ko
		return 0
	fi

	[[ -d ${config} ]] && config=${config}/.config
	[[ -r ${config} ]] || die "${FUNCNAME[0]}: kernel config '${config}' is not readable"

	local line
	line=$(grep -E -m1 '^(CONFIG_MODULE_COMPRESS_(NONE|GZIP|XZ|ZSTD)=y|# CONFIG_MODULE_COMPRESS is not set)' "${config}")
	case ${line} in
		*NONE=y|*"is not set") echo .ko ;;
		*GZIP=y) echo .ko.gz ;;
		*XZ=y) echo .ko.xz ;;
		*ZSTD=y) echo .ko.zst ;;
		*) die "${FUNCNAME[0]}: no known CONFIG_MODULE_COMPRESS_* choice in ${config}" ;;
	esac
}

# @FUNCTION: dist-kernel_compressed_module_cleanup
# @USAGE: <modules dir>
# @DESCRIPTION:
# Remove stale duplicates left when the module compression changed between
# two builds (e.g. foo.ko next to foo.ko.zst).  When the preferred suffix
# (see dist-kernel_get_module_suffix) is known and present it is kept,
# otherwise the newest file wins.  Does nothing if the directory is missing.
dist-kernel_compressed_module_cleanup() {
	debug-print-function "${FUNCNAME[0]}" "${@}"

	[[ ${#} -eq 1 ]] || die "Usage: ${FUNCNAME[0]} <modules dir>"
	local path=${1}
	[[ -d ${path} ]] || return 0

	local preferred='' config
	for config in "${path}"/config "${path}"/source/.config "${path}"/build/.config \
		"${EROOT}/usr/src/linux-${KV_FULL}/.config"
	do
		if [[ -r ${config} && -f ${config} ]]; then
			preferred=$(dist-kernel_get_module_suffix "${config}") || die
			break
		fi
	done

	local -A variants=()
	local file stem
	while IFS= read -r -d '' file; do
		stem=${file%.ko*}
		variants[${stem}]+="${file##"${stem}"} "
	done < <(find "${path}" -type f \( -name '*.ko' -o -name '*.ko.gz' -o -name '*.ko.xz' -o -name '*.ko.zst' \) -print0 || die)

	local keep suffix
	local -a suffixes
	for stem in "${!variants[@]}"; do
		read -ra suffixes <<<"${variants[${stem}]}"
		[[ ${#suffixes[@]} -gt 1 ]] || continue

		keep=
		if [[ -n ${preferred} && -e ${stem}${preferred} ]]; then
			keep=${preferred}
		else
			for suffix in "${suffixes[@]}"; do
				if [[ -z ${keep} || ${stem}${suffix} -nt ${stem}${keep} ]]; then
					keep=${suffix}
				fi
			done
		fi

		for suffix in "${suffixes[@]}"; do
			[[ ${suffix} == "${keep}" ]] && continue
			einfo "Removing stale module ${stem}${suffix} (keeping ${stem##*/}${keep})"
			rm -f -- "${stem}${suffix}" || die "Removing ${stem}${suffix} failed"
		done
	done
}

# @FUNCTION: dist-kernel_can_update_src_symlink
# @USAGE: <target>
# @RETURN: 0 if the /usr/src/linux-style symlink <target> may be updated
# @DESCRIPTION:
# The symlink may be updated when it is missing, broken, not a kernel tree,
# or points at a version of this same package that is being replaced or is
# still installed.  Any other target was chosen by the administrator.
dist-kernel_can_update_src_symlink() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ ${#} -eq 1 ]] || die "Usage: ${FUNCNAME[0]} <target>"
	local target=${1}

	[[ -e ${target} ]] || return 0
	[[ -e ${target}/Makefile ]] || return 0

	local link base=${target##*/}
	link=$(readlink -- "${target}") || return 1
	[[ ${link} == "${base}"-* ]] || return 1
	local version=${link#"${base}"-}
	version=${version%"${KV_LOCALVERSION}"}
	# an extra suffix means another kind of kernel: not ours to move
	[[ -z ${version//[0-9.]/} ]] || return 1

	# shellcheck disable=SC2086 # a list of versions, split on purpose
	has "${version}" ${REPLACING_VERSIONS} && return 0
	has_version -r "~${CATEGORY}/${PN}-${version}" && return 0
	return 1
}

# @FUNCTION: dist-kernel_update_src_symlink
# @USAGE: <target> <version>
# @DESCRIPTION:
# Point <target> (e.g. ${EROOT}/usr/src/linux) at <target>-<version> when
# dist-kernel_can_update_src_symlink allows it; otherwise tell the user how
# to switch with eselect.
dist-kernel_update_src_symlink() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ ${#} -eq 2 ]] || die "Usage: ${FUNCNAME[0]} <target> <version>"
	local target=${1} version=${2}

	if dist-kernel_can_update_src_symlink "${target}"; then
		ebegin "Updating ${target} symlink"
		ln -f -n -s -- "${target##*/}-${version}" "${target}"
		eend ${?} || die "Updating the ${target} symlink failed"
	else
		elog "${target} points at another kernel, leaving it as-is."
		elog "Please use 'eselect kernel' to update it when desired."
	fi
}

# @FUNCTION: dist-kernel_update_lib_symlinks
# @USAGE: [<kv full> [<image path>]]
# @DESCRIPTION:
# For pkg_preinst on merged-usr systems (/lib a symlink to usr/lib): make
# the build, source, config, System.map, vmlinux and vmlinuz links under
# ${ED}/lib/modules/<kv full> (default ${KV_FULL}) resolve from
# /usr/lib/modules, i.e. point at ../../../src/linux-<kv full>/...
# A link that already names a tree under /usr/src (../../../usr/src/X,
# ../../../src/X or /usr/src/X) keeps that tree: a kernel built with O= has
# its sources in another directory than its build output, and "source" must
# still lead there (Gentoo's eclass points it at the build output).
# <image path> defaults to dist-kernel_get_image_path.  Does nothing on
# other systems.
dist-kernel_update_lib_symlinks() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	local version=${1:-${KV_FULL}} image_path=${2}
	[[ -L ${EROOT}/lib && ${EROOT}/lib -ef ${EROOT}/usr/lib ]] || return 0
	[[ -n ${image_path} ]] || image_path=$(dist-kernel_get_image_path) || die

	local moddir=${ED}/lib/modules/${version} link target old
	local tree=../../../src/linux-${version}
	for link in build source config System.map vmlinux vmlinuz; do
		[[ -L ${moddir}/${link} ]] || continue
		case ${link} in
			build|source)
				target=${tree}
				old=$(readlink -- "${moddir}/${link}") || die "Reading ${moddir}/${link} failed"
				old=${old%/}
				if [[ ${old} =~ ^(\.\./\.\./\.\./usr/src|\.\./\.\./\.\./src|/usr/src)/([^/]+)$ ]] &&
					[[ ${BASH_REMATCH[2]} != . && ${BASH_REMATCH[2]} != .. ]]; then
					target=../../../src/${BASH_REMATCH[2]}
				fi
				;;
			config) target=${tree}/.config ;;
			System.map) target=${tree}/System.map ;;
			*) target=${tree}/${image_path#./} ;;
		esac
		ln -sfn -- "${target}" "${moddir}/${link}" || die "Updating ${moddir}/${link} failed"
	done
}

# @FUNCTION: _dist-kernel_relay_elog
# @USAGE: <file>
# @INTERNAL
# @DESCRIPTION:
# Relay the runtime's "LEVEL<TAB>text" lines with elog/ewarn/eerror, then
# empty the file so that a later call does not repeat them.
_dist-kernel_relay_elog() {
	local file=${1} level text
	[[ -s ${file} ]] || return 0
	while IFS=$'\t' read -r level text; do
		case ${level} in
			LOG) elog "${text}" ;;
			WARN) ewarn "${text}" ;;
			ERROR) eerror "${text}" ;;
			'') ;;
			*) elog "${level}${text:+ ${text}}" ;;
		esac
	done < "${file}"
	: > "${file}" || die "Emptying ${file} failed"
}

# @FUNCTION: _dist-kernel_runtime
# @USAGE: <command> [<argument>...]
# @INTERNAL
# @RETURN: the runtime's exit status
# @DESCRIPTION:
# Run the dist-kernel runtime with DIST_KERNEL_ELOG pointing into ${T},
# then relay what it logged.  Dies when the runtime is not installed.
_dist-kernel_runtime() {
	local runtime=${DIST_KERNEL_RUNTIME:-dist-kernel}
	if ! type -P "${runtime}" >/dev/null; then
		eerror "The dist-kernel runtime '${runtime}' was not found on PATH."
		eerror "It is installed by sys-kernel/dist-kernel-runtime, please (re)install it:"
		eerror "    emerge --oneshot sys-kernel/dist-kernel-runtime"
		die "dist-kernel runtime not found: ${runtime}"
	fi

	local -x DIST_KERNEL_ELOG=${T}/dist-kernel.elog
	: > "${DIST_KERNEL_ELOG}" || die "Creating ${DIST_KERNEL_ELOG} failed"

	local status=0
	"${runtime}" "${@}" || status=${?}
	_dist-kernel_relay_elog "${DIST_KERNEL_ELOG}"
	return "${status}"
}

# @FUNCTION: _dist-kernel_retry_hint
# @USAGE: <image>
# @INTERNAL
# @DESCRIPTION:
# Print (with eerror) how to rerun the installation once the cause of a
# failure is fixed.  The package is read from the "dist-kernel" identifier
# file ("cat/pf:slot") Gentoo's kernel packages write at the top of the
# kernel tree holding <image>, falling back to the current package.
_dist-kernel_retry_hint() {
	local image=${1} image_path id=''
	image_path=$(dist-kernel_get_image_path) || die
	local tree=${image%/"${image_path#./}"}
	if [[ ${tree} != "${image}" && -f ${tree}/dist-kernel ]]; then
		read -r id < "${tree}/dist-kernel"
		[[ ${id} =~ ^[A-Za-z0-9+_.-]+/[A-Za-z0-9+_.-]+(:[A-Za-z0-9+_.-]+)?$ ]] || id=''
	fi
	[[ -n ${id} ]] || id=${CATEGORY}/${PF}
	eerror "After fixing the cause, finish the installation with:"
	eerror "    emerge --config '=${id%:*}'"
}

# @FUNCTION: _dist-kernel_check_boot_mounted
# @USAGE: <what>
# @INTERNAL
# @RETURN: 1 when /boot or the ESP is listed in /etc/fstab but not mounted read-write
# @DESCRIPTION:
# Gentoo's guard before writing boot files (mount-boot_check_status from
# mount-boot-utils: skipped when ROOT is not /, for build-only merges and
# with DONT_MOUNT_BOOT set).  On failure, tell that <what> was not done and
# to mount the partition first; the caller then prints how to finish.
_dist-kernel_check_boot_mounted() {
	nonfatal mount-boot_check_status && return 0
	eerror "${1} was not done: nothing was written to /boot."
	eerror "Mount the partition named above read-write first."
	return 1
}

# @FUNCTION: _dist-kernel_installed_versions
# @INTERNAL
# @DESCRIPTION:
# Print the kernel releases installed under ${EROOT}/lib/modules that have
# a kernel image (lib/modules/KV/vmlinuz or usr/src/linux-KV/<image>), one
# per line.
_dist-kernel_installed_versions() {
	local dir kv image_path
	image_path=$(dist-kernel_get_image_path) || die
	for dir in "${EROOT}"/lib/modules/*/; do
		kv=${dir%/}
		kv=${kv##*/}
		[[ ${kv} == '*' ]] && continue
		if [[ -f ${dir}vmlinuz || -f ${EROOT}/usr/src/linux-${kv}/${image_path} ]]; then
			echo "${kv}"
		fi
	done
}

# @FUNCTION: dist-kernel_install_kernel
# @USAGE: [<version> [<image> [<System.map> [<dir> [<extra args>...]]]]]
# @DESCRIPTION:
# Install the kernel <version> (default ${KV_FULL}) with its initramfs or
# unified kernel image, through "dist-kernel install".  <image> defaults to
# ${KV_DIR}/<image path>; it is passed to the runtime as a path on the target
# system (without ${EROOT}), and only when it exists.  <System.map> and <dir> are accepted for
# compatibility with the Gentoo eclass and installkernel: where the kernel
# lands is decided by the runtime's install backend.  Extra argument "--all"
# reinstalls every installed kernel; other installkernel arguments are
# ignored.  Does nothing (except telling how to finish later) when ROOT is
# not empty.  Dies with a retry hint when /boot (or the ESP) is listed in
# /etc/fstab but not mounted read-write (mount-boot_check_status), or when
# the runtime fails.
dist-kernel_install_kernel() {
	debug-print-function "${FUNCNAME[0]}" "${@}"

	local image_path
	image_path=$(dist-kernel_get_image_path) || die
	local version=${1:-${KV_FULL}}
	local image=${2:-${KV_DIR}/${image_path}}
	local -a extra=( "${@:5}" )
	[[ -n ${version} ]] || die "${FUNCNAME[0]}: no kernel version given and KV_FULL is empty"

	if [[ -n ${ROOT} ]]; then
		ewarn "ROOT=${ROOT} is not /: the kernel ${version} was not installed into /boot."
		ewarn "Run the following on the target system to install it:"
		ewarn "    emerge --config '=${CATEGORY}/${PF}'"
		return 0
	fi

	local -a versions=( "${version}" )
	local arg
	for arg in "${extra[@]}"; do
		case ${arg} in
			--all) mapfile -t versions < <(_dist-kernel_installed_versions) ;;
			*) debug-print "${FUNCNAME[0]}: ignoring installkernel argument ${arg}" ;;
		esac
	done

	if ! _dist-kernel_check_boot_mounted "Installing kernel ${versions[*]}"; then
		_dist-kernel_retry_hint "${image}"
		die "Kernel install failed, please fix the problems and run emerge --config"
	fi

	local kv
	local -a args
	for kv in "${versions[@]}"; do
		args=( install "${kv}" --package "${CATEGORY}/${PF}" )
		# the image given is only right for the version given; the runtime
		# wants a path on the target system, i.e. without ${EROOT}
		if [[ ${kv} == "${version}" && -f ${image} ]]; then
			args+=( --image "${image#"${EROOT%/}"}" )
		fi

		ebegin "Installing kernel ${kv} through dist-kernel"
		_dist-kernel_runtime "${args[@]}"
		if ! eend ${?}; then
			eerror "Installing the kernel ${kv} failed, see the messages above."
			_dist-kernel_retry_hint "${image}"
			die "dist-kernel install ${kv} failed"
		fi
	done
}

# @FUNCTION: dist-kernel_reinstall_initramfs
# @USAGE: [<kv dir> [<kv full> [<extra args>...]]]
# @DESCRIPTION:
# Regenerate the initramfs (or unified kernel image) of the kernel
# <kv full> (default ${KV_FULL}) whose tree is <kv dir> (default ${KV_DIR}),
# e.g. after a module package installed new modules, through
# "dist-kernel initramfs".  Extra argument "--all" does it for every
# installed kernel.  When the kernel is not installed it prints an error
# and returns 0, as the Gentoo eclass does.  Does nothing when ROOT is not
# empty.  Dies when /boot (or the ESP) is listed in /etc/fstab but not
# mounted read-write (mount-boot_check_status), or when the runtime fails.
dist-kernel_reinstall_initramfs() {
	debug-print-function "${FUNCNAME[0]}" "${@}"

	local kv_dir=${1:-${KV_DIR}}
	local version=${2:-${KV_FULL}}
	local -a extra=( "${@:3}" )

	if [[ -n ${ROOT} ]]; then
		ewarn "ROOT=${ROOT} is not /: the initramfs of kernel ${version} was not rebuilt."
		return 0
	fi

	if grep -qs '^CONFIG_EFI_ZBOOT=y' "${kv_dir}/.config"; then
		KERNEL_EFI_ZBOOT=1
	fi
	local image_path
	image_path=$(dist-kernel_get_image_path) || die

	local -a versions=( "${version}" )
	local arg kv
	for arg in "${extra[@]}"; do
		case ${arg} in
			--all) mapfile -t versions < <(_dist-kernel_installed_versions) ;;
			*) debug-print "${FUNCNAME[0]}: ignoring installkernel argument ${arg}" ;;
		esac
	done
	# No version (KV_FULL empty: no kernel found by linux-info) and no --all: nothing to rebuild. Like Gentoo's
	# eclass this is an error message, not a failed merge.
	if [[ ${#versions[@]} -eq 0 || ( ${#versions[@]} -eq 1 && -z ${versions[0]} ) ]]; then
		eerror "Kernel install missing: no kernel version given and KV_FULL is empty."
		eerror "Initramfs will not be updated.  Please reinstall your kernel."
		return 0
	fi

	local dir checked=''
	for kv in "${versions[@]}"; do
		dir=${kv_dir}
		[[ ${kv} == "${version}" ]] || dir=${EROOT}/usr/src/linux-${kv}
		if [[ ! -f ${dir}/${image_path} && ! -f ${EROOT}/lib/modules/${kv}/vmlinuz ]]; then
			eerror "Kernel install missing, image not found:"
			eerror "  ${dir}/${image_path}"
			eerror "  ${EROOT}/lib/modules/${kv}/vmlinuz"
			eerror "Initramfs will not be updated.  Please reinstall kernel ${kv}."
			continue
		fi

		if [[ -z ${checked} ]] &&
			! _dist-kernel_check_boot_mounted "Rebuilding the initramfs of kernel ${versions[*]}"
		then
			# the kernel package's identifier file names what to reconfigure
			if [[ ${#versions[@]} -eq 1 && -f ${dir}/dist-kernel ]]; then
				_dist-kernel_retry_hint "${dir}/${image_path}"
			else
				eerror "After fixing the cause, rebuild the images with:"
				for arg in "${versions[@]}"; do
					eerror "    dist-kernel initramfs ${arg}"
				done
			fi
			die "Initramfs rebuild failed, please mount /boot and run emerge --config"
		fi
		checked=1

		ebegin "Rebuilding the initramfs of kernel ${kv} through dist-kernel"
		_dist-kernel_runtime initramfs "${kv}" --package "${CATEGORY}/${PF}"
		if ! eend ${?}; then
			eerror "Rebuilding the initramfs of kernel ${kv} failed, see the messages above."
			eerror "After fixing the cause, rerun:"
			eerror "    dist-kernel initramfs ${kv}"
			die "dist-kernel initramfs ${kv} failed"
		fi
	done
}

fi
