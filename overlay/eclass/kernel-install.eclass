# Copyright 2026 dist-kernel authors
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: kernel-install.eclass
# @MAINTAINER:
# dist-kernel authors <dist-kernel@localhost>
# @SUPPORTED_EAPIS: 8
# @PROVIDES: dist-kernel-utils
# @BLURB: Installation of Distribution Kernel packages through the dist-kernel runtime
# @DESCRIPTION:
# Drop-in replacement for the Gentoo eclass of the same name, meant to be
# picked up through "eclass-overrides = dist-kernel" on the gentoo repository
# so that sys-kernel/gentoo-kernel, gentoo-kernel-bin and vanilla-kernel work
# unchanged.
#
# The ebuild installs the kernel tree into /usr/src/linux-${KV_FULL} (image
# at its usual place, System.map, include/config/kernel.release) and the
# modules into /lib/modules/${KV_FULL}.  pkg_postinst then runs
# "dist-kernel install <release>", which builds the initramfs or unified
# kernel image and installs the kernel with the configured backend;
# pkg_postrm runs "dist-kernel remove <release>"; "emerge --config" reruns
# the installation.  Nothing touches /boot when ROOT is not empty, and, as in
# Gentoo's eclass, nothing is installed while /boot (or the ESP) is listed in
# /etc/fstab but not mounted read-write (mount-boot-utils).
#
# The kernel ebuilds themselves pull >=virtual/dist-kernel-${PV} (PDEPEND);
# module packages depend on virtual/dist-kernel:= and are thus rebuilt for
# each new kernel.
# @EXAMPLE:
#
# @CODE
# inherit kernel-install
#
# src_install() {
#	insinto "/usr/src/linux-${KV_FULL}"
#	doins -r "${WORKDIR}"/build/.
#	# ... modules into /lib/modules/${KV_FULL}
# }
# @CODE

case ${EAPI} in
	8) ;;
	*) die "${ECLASS}: EAPI ${EAPI:-0} not supported" ;;
esac

if [[ -z ${_KERNEL_INSTALL_ECLASS} ]]; then
_KERNEL_INSTALL_ECLASS=1

# @ECLASS_VARIABLE: KERNEL_IUSE_GENERIC_UKI
# @PRE_INHERIT
# @DEFAULT_UNSET
# @DESCRIPTION:
# If non-empty, adds IUSE="generic-uki modules-compress" for packages
# shipping a prebuilt generic unified kernel image (uki.efi next to the
# kernel image).

# @ECLASS_VARIABLE: KV_FULL
# @DEFAULT_UNSET
# @DESCRIPTION:
# Full kernel release, e.g. 6.12.8-gentoo-dist.  Defaults to
# ${PV}${KV_LOCALVERSION}; kernel-build.eclass sets it from the built
# kernel's kernel.release.

# @ECLASS_VARIABLE: KV_LOCALVERSION
# @DEFAULT_UNSET
# @DESCRIPTION:
# The kernel's LOCALVERSION (e.g. -gentoo-dist), for binary kernels.

# @ECLASS_VARIABLE: KERNEL_BOOT_MIN_FREE_MB
# @USER_VARIABLE
# @DESCRIPTION:
# Free space (MiB) pkg_pretend wants in /boot before installing a kernel;
# below it a warning is printed (the runtime's own check decides later).
: "${KERNEL_BOOT_MIN_FREE_MB:=96}"

# @ECLASS_VARIABLE: INITRD_PACKAGES
# @INTERNAL
# @DESCRIPTION:
# With KERNEL_IUSE_GENERIC_UKI: packages whose files end up in a generic
# initramfs, mapped to their licenses (read by kernel-build.eclass).

inherit eapi9-pipestatus dist-kernel-utils mount-boot-utils multiprocessing toolchain-funcs

SLOT="${PV}"
IUSE="+initramfs test"
RESTRICT+="
	!test? ( test )
	test? ( userpriv )
	arm? ( test )
"
LICENSE="GPL-2"

# The runtime does the install (installkernel is only one of its backends);
# it builds the initramfs or UKI with dracut (the only generator it runs).
_IDEPEND_BASE="
	sys-kernel/dist-kernel-runtime
	initramfs? ( sys-kernel/dracut )
"

if [[ -n ${KERNEL_IUSE_GENERIC_UKI} ]]; then
	IUSE+=" generic-uki modules-compress"
	# what Gentoo's release engineering puts into the prebuilt generic
	# initramfs, with the licenses that then apply to the package
	declare -gA INITRD_PACKAGES=(
		["amd64? ( sys-firmware/intel-microcode )"]="amd64? ( intel-ucode )"
		["x86? ( sys-firmware/intel-microcode )"]="x86? ( intel-ucode )"
		[">=sys-apps/systemd-257[boot(-),cryptsetup,pkcs11,policykit,tpm,ukify(-)]"]="GPL-2 LGPL-2.1 MIT public-domain"
		["app-alternatives/awk"]="CC0-1.0"
		["app-alternatives/gzip"]="CC0-1.0"
		["app-alternatives/sh"]="CC0-1.0"
		["app-arch/bzip2"]="BZIP2"
		["app-arch/gzip"]="GPL-3+"
		["app-arch/lz4"]="BSD-2 GPL-2"
		["app-arch/xz-utils"]="public-domain LGPL-2.1+ GPL-2+"
		["app-arch/zstd"]="|| ( BSD GPL-2 )"
		["app-crypt/argon2"]="|| ( Apache-2.0 CC0-1.0 )"
		["app-crypt/gnupg[smartcard,tpm(-)]"]="GPL-3+"
		["app-crypt/p11-kit"]="MIT"
		["app-crypt/tpm2-tools"]="BSD"
		["app-crypt/tpm2-tss"]="BSD-2"
		["app-misc/ddcutil"]="GPL-2"
		["app-misc/jq"]="MIT CC-BY-3.0"
		["app-shells/bash"]="GPL-3+"
		["dev-db/sqlite"]="public-domain"
		["dev-libs/cyrus-sasl"]="BSD-with-attribution"
		["dev-libs/expat"]="MIT"
		["dev-libs/glib"]="LGPL-2.1+"
		["dev-libs/hidapi"]="|| ( BSD GPL-3 HIDAPI )"
		["dev-libs/icu"]="BSD"
		["dev-libs/json-c"]="MIT"
		["dev-libs/libaio"]="LGPL-2"
		["dev-libs/libassuan"]="GPL-3 LGPL-2.1"
		["dev-libs/libevent"]="BSD"
		["dev-libs/libffi"]="MIT"
		["dev-libs/libgcrypt"]="LGPL-2.1 MIT"
		["dev-libs/libgpg-error"]="GPL-2 LGPL-2.1"
		["dev-libs/libp11"]="LGPL-2.1"
		["dev-libs/libpcre2"]="BSD"
		["dev-libs/libtasn1"]="LGPL-2.1+"
		["dev-libs/libunistring"]="|| ( LGPL-3+ GPL-2+ ) || ( FDL-1.2 GPL-3+ )"
		["dev-libs/libusb"]="LGPL-2.1"
		["dev-libs/lzo"]="GPL-2+"
		["dev-libs/npth"]="LGPL-2.1+"
		["dev-libs/nss"]="|| ( MPL-2.0 GPL-2 LGPL-2.1 )"
		["dev-libs/oniguruma"]="BSD-2"
		["dev-libs/opensc"]="LGPL-2.1"
		["dev-libs/openssl"]="Apache-2.0"
		["dev-libs/userspace-rcu"]="LGPL-2.1"
		["media-libs/libmtp"]="LGPL-2.1"
		["media-libs/libv4l"]="LGPL-2.1+"
		["net-dns/c-ares"]="MIT ISC"
		["net-dns/libidn2"]="|| ( GPL-2+ LGPL-3+ ) GPL-3+ unicode"
		["net-fs/cifs-utils"]="GPL-3"
		["net-fs/nfs-utils"]="GPL-2"
		["net-fs/samba"]="GPL-3"
		["net-libs/libmnl"]="LGPL-2.1"
		["net-libs/libndp"]="LGPL-2.1+"
		["net-libs/libtirpc"]="BSD BSD-2 BSD-4 LGPL-2.1+"
		["net-libs/nghttp2"]="MIT"
		["net-misc/curl"]="BSD curl ISC"
		["net-misc/networkmanager[iwd]"]="GPL-2+ LGPL-2.1+"
		["net-nds/openldap"]="OPENLDAP GPL-2"
		["net-wireless/bluez"]="GPL-2+ LGPL-2.1+"
		["net-wireless/iwd"]="GPL-2"
		["sys-apps/acl"]="LGPL-2.1"
		["sys-apps/attr"]="LGPL-2.1"
		["sys-apps/baselayout"]="GPL-2"
		["sys-apps/coreutils"]="GPL-3+"
		["sys-apps/dbus"]="|| ( AFL-2.1 GPL-2 )"
		["sys-apps/fwupd"]="LGPL-2.1+"
		["sys-apps/gawk"]="GPL-3+"
		["sys-apps/hwdata"]="GPL-2+"
		["sys-apps/iproute2"]="GPL-2"
		["sys-apps/kbd"]="GPL-2"
		["sys-apps/keyutils"]="GPL-2 LGPL-2.1"
		["sys-apps/kmod"]="LGPL-2"
		["sys-apps/less"]="|| ( GPL-3 BSD-2 )"
		["sys-apps/nvme-cli"]="GPL-2 GPL-2+"
		["sys-apps/pcsc-lite"]="BSD ISC MIT GPL-3+ GPL-2"
		["sys-apps/rng-tools"]="GPL-2"
		["sys-apps/sed"]="GPL-3+"
		["sys-apps/shadow"]="BSD GPL-2"
		["sys-apps/util-linux"]="GPL-2 GPL-3 LGPL-2.1 BSD-4 MIT public-domain"
		["sys-auth/polkit"]="LGPL-2"
		["sys-block/nbd"]="GPL-2"
		["sys-boot/plymouth[drm,systemd(+),udev]"]="GPL-2+"
		["sys-devel/gcc"]="GPL-3+ LGPL-3+ || ( GPL-3+ libgcc libstdc++ gcc-runtime-library-exception-3.1 ) FDL-1.3+"
		["sys-fs/btrfs-progs"]="GPL-2"
		["sys-fs/cryptsetup"]="GPL-2+"
		["sys-fs/dmraid"]="GPL-2"
		["sys-fs/dosfstools"]="GPL-3"
		["sys-fs/e2fsprogs"]="GPL-2 BSD"
		["sys-fs/lvm2[lvm]"]="GPL-2"
		["sys-fs/mdadm"]="GPL-2"
		["sys-fs/multipath-tools"]="GPL-2"
		["sys-fs/xfsprogs"]="LGPL-2.1"
		["sys-kernel/dracut"]="GPL-2"
		["sys-kernel/linux-firmware[redistributable,-unknown-license]"]="GPL-2 GPL-2+ GPL-3 BSD MIT || ( MPL-1.1 GPL-2 ) linux-fw-redistributable BSD-2 BSD BSD-4 ISC MIT"
		["sys-libs/glibc"]="LGPL-2.1+ BSD HPND ISC inner-net rc PCRE"
		["sys-libs/libapparmor"]="GPL-2 LGPL-2.1"
		["sys-libs/libcap"]="|| ( GPL-2 BSD )"
		["sys-libs/libcap-ng"]="LGPL-2.1"
		["sys-libs/libnvme"]="LGPL-2.1+"
		["sys-libs/libseccomp"]="LGPL-2.1"
		["sys-libs/libxcrypt"]="LGPL-2.1+ public-domain BSD BSD-2"
		["sys-libs/ncurses"]="MIT"
		["sys-libs/pam"]="|| ( BSD GPL-2 )"
		["sys-libs/readline"]="GPL-3+"
		["sys-process/procps"]="GPL-2+ LGPL-2+ LGPL-2.1+"
		["virtual/zlib"]="ZLIB"
		["x11-libs/libdrm"]="MIT"
	)
	LICENSE+="
		generic-uki? ( ${INITRD_PACKAGES[*]} )
	"
	RDEPEND+="
		sys-apps/kmod[lzma]
	"
	# With generic-uki the prebuilt image is installed as it is, unless an
	# installed USE=initramfs module package needs its modules in it (dracut
	# then builds the image here); sbverify checks the prebuilt UKI's
	# signature (kernel-install_extract_from_uki).
	# shellcheck disable=SC2034 # read by the package manager
	IDEPEND="
		generic-uki? (
			app-crypt/sbsigntools
			${_IDEPEND_BASE}
		)
		!generic-uki? (
			${_IDEPEND_BASE}
		)
	"
else
	# shellcheck disable=SC2034 # read by the package manager
	IDEPEND=${_IDEPEND_BASE}
fi
unset _IDEPEND_BASE

# objtool, installed with the kernel tree for module builds, links libelf
RDEPEND+="
	virtual/libelf
"
# kernel-install_test: dracut builds the test initramfs, mkfs.ext4 and
# truncate the test root file system, expect watches QEMU boot the kernel
# shellcheck disable=SC2034 # read by the package manager
BDEPEND="
	test? (
		dev-tcltk/expect
		sys-apps/coreutils
		sys-kernel/dracut
		sys-fs/e2fsprogs
		amd64? ( app-emulation/qemu[qemu_softmmu_targets_x86_64] )
		arm64? ( app-emulation/qemu[qemu_softmmu_targets_aarch64] )
		ppc? ( app-emulation/qemu[qemu_softmmu_targets_ppc] )
		ppc64? ( app-emulation/qemu[qemu_softmmu_targets_ppc64] )
		sparc? ( app-emulation/qemu[qemu_softmmu_targets_sparc,qemu_softmmu_targets_sparc64] )
		x86? ( app-emulation/qemu[qemu_softmmu_targets_i386] )
	)
"

# @FUNCTION: kernel-install_can_update_symlink
# @USAGE: <target>
# @RETURN: 0 if the /usr/src/linux-style symlink <target> may be updated
# @DESCRIPTION:
# Older name of dist-kernel_can_update_src_symlink, kept for ebuilds.
kernel-install_can_update_symlink() {
	dist-kernel_can_update_src_symlink "${@}"
}

# @FUNCTION: kernel-install_update_symlink
# @USAGE: <target> <version>
# @DESCRIPTION:
# Older name of dist-kernel_update_src_symlink, kept for ebuilds.
kernel-install_update_symlink() {
	dist-kernel_update_src_symlink "${@}"
}

# @FUNCTION: kernel-install_get_qemu_arch
# @DESCRIPTION:
# Print the qemu-system-* suffix for the current ${ARCH}.
kernel-install_get_qemu_arch() {
	case ${ARCH} in
		amd64) echo x86_64 ;;
		x86) echo i386 ;;
		arm64) echo aarch64 ;;
		loong) echo loongarch64 ;;
		arm|ppc|ppc64|riscv|sparc) echo "${ARCH}" ;;
		*) die "${FUNCNAME[0]}: unsupported ARCH=${ARCH}" ;;
	esac
}

# @FUNCTION: kernel-install_create_init
# @USAGE: <output>
# @DESCRIPTION:
# Build a static /sbin/init that prints the kernel release and
# "Hello, World!", for kernel-install_test.
kernel-install_create_init() {
	[[ ${#} -eq 1 && -n ${1} ]] || die "Usage: ${FUNCNAME[0]} <output>"
	local output=${1}
	[[ -e ${output} ]] && die "${FUNCNAME[0]}: ${output} already exists"

	cat > "${T}/init.c" <<-'EOF' || die
		#include <stdio.h>
		#include <sys/utsname.h>
		int main(void) {
			struct utsname u;
			if (uname(&u) == 0)
				printf("Booted: %s %s %s\n", u.sysname, u.release, u.machine);
			printf("Hello, World!\n");
			return 0;
		}
	EOF
	"$(tc-getBUILD_CC)" -Os -static -o "${output}" "${T}/init.c" || die "building the test init failed"
}

# @FUNCTION: kernel-install_create_qemu_image
# @USAGE: <output>
# @DESCRIPTION:
# Create a 4 MiB ext4 image labelled "groot" holding the test init.
kernel-install_create_qemu_image() {
	[[ ${#} -eq 1 && -n ${1} ]] || die "Usage: ${FUNCNAME[0]} <output>"
	local image=${1} tree=${T}/imageroot
	[[ -e ${image} ]] && die "${FUNCNAME[0]}: ${image} already exists"

	mkdir -p "${tree}"/{bin,dev,etc,lib,proc,root,sbin,sys} || die
	# dracut wants something that looks like a usable root
	: > "${tree}/lib/ld-fake.so" || die
	cp -- "${BROOT}/etc/os-release" "${tree}/etc/os-release" || die
	kernel-install_create_init "${tree}/sbin/init"
	truncate -s 4M "${image}" || die
	mkfs.ext4 -q -d "${tree}" -L groot "${image}" || die "creating the test image failed"
}

# @FUNCTION: kernel-install_test
# @USAGE: <version> <image> <modules> [<config>]
# @DESCRIPTION:
# Boot the kernel <image> (release <version>, modules tree <modules>) in
# qemu with a generic dracut initramfs and a tiny root file system, and die
# unless its init prints "Hello, World!".  expect watches the console and
# fails early on a kernel panic, an initramfs dropping to its emergency
# shell, or qemu exiting; after 15 minutes without any of these it gives
# up.  <config> is the kernel's .config, as Gentoo's kernel-build.eclass and
# gentoo-kernel-bin pass it: the initramfs is then compressed the way the
# modules are (see dist-kernel_get_compressor).  Module signatures are
# enforced unless the package has a disabled modules-sign USE flag.
kernel-install_test() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ ${#} -eq 3 || ${#} -eq 4 ]] ||
		die "Usage: ${FUNCNAME[0]} <version> <image> <modules> [<config>]"
	local version=${1} image=${2} modules=${3} config=${4}
	local qemu_arch
	qemu_arch=$(kernel-install_get_qemu_arch) || die

	local -a compress=()
	if [[ -n ${config} ]]; then
		local compressor
		compressor=$(dist-kernel_get_compressor "${config}") || die
		[[ -n ${compressor} ]] && compress=( --compress="${compressor}" )
	fi

	# dracut silently ignores a --conf/--confdir that does not exist
	: > "${T}/empty-file" || die
	mkdir -p "${T}/empty-directory" || die
	local -a omit=(
		crypt dm dmraid lvm mdraid multipath nbd network network-manager
		btrfs cifs nfs zfs zfsexpandknowledge plymouth rngd i18n
		dracut-systemd systemd systemd-initrd
	)
	dracut --conf "${T}/empty-file" --confdir "${T}/empty-directory" \
		--no-hostonly --kmoddir "${modules}" --force-add qemu \
		--omit "${omit[*]}" --nostrip --no-early-microcode "${compress[@]}" \
		"${T}/initrd" "${version}" || die "building the test initramfs failed"

	kernel-install_create_qemu_image "${T}/fs.img"

	local -a qemu=( "qemu-system-${qemu_arch}" -m 512M -nographic -no-reboot
		-serial mon:stdio -kernel "${image}" -initrd "${T}/initrd"
		-drive "file=${T}/fs.img,format=raw,index=0,media=disk" )
	# panic=-1: a panicking kernel reboots, which -no-reboot turns into qemu exiting
	local append="root=LABEL=groot panic=-1"
	# gentoo-kernel-bin has no modules-sign flag: its modules are signed
	if ! in_iuse modules-sign || use modules-sign; then
		append+=" module.sig_enforce=1"
	fi
	case ${qemu_arch} in
		aarch64) qemu+=( -M virt -cpu cortex-a57 -smp 1 ); append+=" console=ttyAMA0" ;;
		i386|x86_64) qemu+=( -cpu max ); append+=" console=ttyS0,115200n8" ;;
		ppc)
			# shellcheck disable=SC2054 # mac99,via=pmu is one qemu option
			qemu+=( -boot d -L pc-bios -M mac99,via=pmu )
			append+=" console=ttyS0,115200n8"
			;;
		ppc64) qemu+=( -nodefaults ) ;;
	esac
	qemu+=( -append "${append}" )

	# expect runs qemu from a script: its command line stays quoted as above
	{
		echo '#!/bin/sh'
		printf 'exec'
		printf ' %q' "${qemu[@]}"
		echo
	} > "${T}/run-qemu.sh" || die
	chmod +x "${T}/run-qemu.sh" || die

	einfo "Booting ${image} in qemu ..."
	expect - <<-EOF || die "Booting the kernel ${version} failed (see the console output above)"
		set timeout 900
		spawn {${T}/run-qemu.sh}
		expect {
			"Kernel panic" { send_error "\n* Kernel panic\n"; exit 1 }
			"Entering emergency mode" { send_error "\n* The initramfs did not reach the root file system\n"; exit 1 }
			"terminating on signal" { send_error "\n* qemu was killed\n"; exit 1 }
			"Hello, World!" { send_error "\n* Booted successfully\n"; exit 0 }
			timeout { send_error "\n* The kernel did not boot within 15 minutes\n"; exit 2 }
			eof { send_error "\n* qemu exited before the kernel booted\n"; exit 2 }
		}
	EOF
	einfo "Kernel ${version} booted successfully"
}

# @FUNCTION: kernel-install_pkg_pretend
# @DESCRIPTION:
# Pre-flight checks, never fatal (everything can be fixed, then finished
# with "emerge --config"): /boot (and the ESP) mounted read-write when
# /etc/fstab lists it (mount-boot_check_status), free space in /boot,
# linux-firmware presence, and a warning when the initramfs is disabled.
kernel-install_pkg_pretend() {
	debug-print-function "${FUNCNAME[0]}" "${@}"

	nonfatal mount-boot_check_status

	if [[ -z ${ROOT} ]]; then
		_kernel-install_check_boot_space
	fi

	if ! has_version -d sys-kernel/linux-firmware; then
		ewarn "sys-kernel/linux-firmware is not installed.  It holds firmware that"
		ewarn "much hardware needs; if in doubt, install it first.  If you install"
		ewarn "it later, rebuild the initramfs with:"
		ewarn "    emerge --config ${CATEGORY}/${PN}:${SLOT}"
	fi

	if ! use initramfs; then
		ewarn "USE=initramfs is disabled: distribution kernels are configured to boot"
		ewarn "with an initramfs, and may not find the root file system without one."
	fi
}

# @FUNCTION: _kernel-install_check_boot_space
# @INTERNAL
# @DESCRIPTION:
# Warn when /boot (or the directory /boot is on) has less than
# KERNEL_BOOT_MIN_FREE_MB MiB free.
_kernel-install_check_boot_space() {
	local boot=${EROOT}/boot
	[[ -d ${boot} ]] || return 0

	local -a fields
	local line
	line=$(df -Pk -- "${boot}" 2>/dev/null | tail -n 1)
	read -ra fields <<<"${line}"
	[[ ${fields[3]} =~ ^[0-9]+$ ]] || return 0
	local free_mb=$(( fields[3] / 1024 ))
	if [[ ${free_mb} -lt ${KERNEL_BOOT_MIN_FREE_MB} ]]; then
		ewarn "Only ${free_mb} MiB are free in ${boot} (${KERNEL_BOOT_MIN_FREE_MB} MiB wanted for"
		ewarn "a kernel with its initramfs).  Free some space, e.g. with"
		ewarn "    dist-kernel clean --pretend"
		ewarn "before the installation, or it may fail."
	else
		einfo "${free_mb} MiB free in ${boot}"
	fi
}

# @FUNCTION: kernel-install_src_test
# @DESCRIPTION:
# Reminds ebuilds to define src_test calling kernel-install_test.
kernel-install_src_test() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	die "Please redefine src_test() and call kernel-install_test()."
}

# @FUNCTION: kernel-install_pkg_preinst
# @DESCRIPTION:
# Check that the image installs /usr/src/linux-${KV_FULL} and that KV_FULL
# matches the package version (dist-kernel_PV_to_KV), and fix the tree
# symlinks on merged-usr systems (dist-kernel_update_lib_symlinks).
kernel-install_pkg_preinst() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	: "${KV_FULL:=${PV}${KV_LOCALVERSION}}"

	local kernel_dir=${ED}/usr/src/linux-${KV_FULL}
	[[ -d ${kernel_dir} ]] || die "Kernel directory ${kernel_dir} not installed!"

	# kernel-build.eclass keeps a generated module signing key out of the
	# binary package by moving it to ${T}; put it back, readable by root only
	if [[ -r ${T}/signing_key.pem ]]; then
		( umask 066 && mkdir -p "${kernel_dir}/certs" &&
			cp -- "${T}/signing_key.pem" "${kernel_dir}/certs/signing_key.pem" ) ||
			die "Restoring the module signing key failed"
	fi

	if [[ ${PV} != *9999 ]]; then
		local expected
		expected=$(dist-kernel_PV_to_KV "${PV}") || die
		if [[ ${KV_FULL} != "${expected}"* ]]; then
			eerror "Kernel version does not match PV!"
			eerror "Source version: ${KV_FULL}"
			eerror "Expected (PV*): ${expected}*"
			die "Kernel version mismatch: got ${KV_FULL}, expected ${expected}*"
		fi
	fi

	dist-kernel_update_lib_symlinks "${KV_FULL}"
}

# @FUNCTION: kernel-install_extract_from_uki
# @USAGE: <linux|initrd> <uki> <output>
# @DESCRIPTION:
# Extract the kernel or the initramfs section of a unified kernel image.
# When SECUREBOOT_SIGN_CERT names a certificate and the package has no
# secureboot USE flag or has it enabled, the UKI's signature and that of
# the kernel inside it are verified first (sbverify) and a bad one is
# fatal: a prebuilt image that does not verify is never installed.
kernel-install_extract_from_uki() {
	[[ ${#} -eq 3 ]] || die "Usage: ${FUNCNAME[0]} <linux|initrd> <uki> <output>"
	local section=${1} uki=${2} out=${3}
	[[ ${section} == @(linux|initrd) ]] || die "${FUNCNAME[0]}: unknown section ${section}"
	local part=${T}/uki-${section}.section
	rm -f -- "${part}" || die
	# objcopy rewrites its input when given no output: write a scratch copy
	"$(tc-getOBJCOPY)" "${uki}" "${T}/uki-scratch.efi" --dump-section ".${section}=${part}" ||
		die "Failed to extract the ${section} section of ${uki}"

	if [[ ${section} == linux && -n ${SECUREBOOT_SIGN_CERT} ]] &&
		{ ! in_iuse secureboot || use secureboot; }
	then
		_kernel-install_verify_signature "${uki}" "${part}"
	fi

	install -m 644 -- "${part}" "${out}" || die "Installing ${out} failed"
}

# @FUNCTION: _kernel-install_verify_signature
# @USAGE: <uki> <extracted kernel>
# @INTERNAL
# @DESCRIPTION:
# Die unless both <uki> and the kernel extracted from it verify against
# SECUREBOOT_SIGN_CERT.  A kernel section padded past its signed size (the
# "data remaining" warning, systemd issue 35851) is cut back to the size
# sbverify reports and verified again; on success the trimmed copy replaces
# <extracted kernel>.
_kernel-install_verify_signature() {
	local uki=${1} kernel=${2} error size
	sbverify --cert "${SECUREBOOT_SIGN_CERT}" "${uki}" >/dev/null 2>&1 ||
		die "The signature of ${uki} does not verify against ${SECUREBOOT_SIGN_CERT}"

	if error=$(sbverify --cert "${SECUREBOOT_SIGN_CERT}" "${kernel}" 2>&1 >/dev/null); then
		einfo "Signature verification OK"
		return 0
	fi
	if [[ ${error} =~ data\ remaining\[([0-9]+)\ vs ]]; then
		size=${BASH_REMATCH[1]}
		head -c "${size}" -- "${kernel}" > "${kernel}.trimmed" || die
		if sbverify --cert "${SECUREBOOT_SIGN_CERT}" "${kernel}.trimmed" >/dev/null 2>&1; then
			mv -- "${kernel}.trimmed" "${kernel}" || die
			einfo "Signature verification OK (padding after ${size} bytes removed)"
			return 0
		fi
	fi
	eerror "${error}"
	die "The signature of the kernel inside ${uki} does not verify against ${SECUREBOOT_SIGN_CERT}"
}

# @FUNCTION: kernel-install_install_all
# @USAGE: <version>
# @DESCRIPTION:
# Install the kernel whose tree is /usr/src/linux-<version>: its release is
# read from include/config/kernel.release, then "dist-kernel install" builds
# the initramfs or UKI and installs everything.  With USE=generic-uki the
# prebuilt uki.efi's kernel and initrd are extracted first.  Called by
# pkg_postinst and pkg_config.
kernel-install_install_all() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ ${#} -eq 1 ]] || die "Usage: ${FUNCNAME[0]} <version>"
	local dir_ver=${1}
	local kernel_dir=${EROOT}/usr/src/linux-${dir_ver}
	local image_path release=${dir_ver}
	image_path=$(dist-kernel_get_image_path) || die
	local image_dir=${image_path%/*}

	if [[ -s ${kernel_dir}/include/config/kernel.release ]]; then
		read -r release < "${kernel_dir}/include/config/kernel.release" || die
	fi

	if [[ -n ${KERNEL_IUSE_GENERIC_UKI} ]]; then
		if use generic-uki; then
			# verify the prebuilt images against the kernel's own certificate
			# unless the user named one (see kernel-install_extract_from_uki)
			local kernel_cert=${kernel_dir}/certs/signing_key.x509
			if [[ ! -r ${SECUREBOOT_SIGN_CERT} && -s ${kernel_cert} ]]; then
				openssl x509 -inform DER -in "${kernel_cert}" -outform PEM -out "${T}/cert.pem" ||
					die "Converting ${kernel_cert} to PEM failed"
				export SECUREBOOT_SIGN_CERT=${T}/cert.pem
			fi
			kernel-install_extract_from_uki linux "${kernel_dir}/${image_dir}/uki.efi" \
				"${kernel_dir}/${image_path}"
			kernel-install_extract_from_uki initrd "${kernel_dir}/${image_dir}/uki.efi" \
				"${kernel_dir}/${image_dir}/initrd"
			# where Gentoo's layout exposes the prebuilt images to install hooks
			local moddir=${EROOT}/lib/modules/${release} tree=../../../usr/src/linux-${dir_ver}
			if [[ -L ${EROOT}/lib && ${EROOT}/lib -ef ${EROOT}/usr/lib ]]; then
				moddir=${EROOT}/usr/lib/modules/${release} tree=../../../src/linux-${dir_ver}
			fi
			if [[ -d ${moddir} ]]; then
				ln -sfn -- "${tree}/${image_dir#./}/initrd" "${moddir}/initrd" &&
					ln -sfn -- "${tree}/${image_dir#./}/uki.efi" "${moddir}/uki.efi" ||
					die "Linking the prebuilt initrd and uki.efi into ${moddir} failed"
			fi
		else
			rm -f -- "${kernel_dir}/${image_dir}"/{initrd,uki.efi} || die
		fi
	fi

	dist-kernel_install_kernel "${release}" "${kernel_dir}/${image_path}" \
		"${kernel_dir}/System.map"
}

# @FUNCTION: kernel-install_pkg_postinst
# @DESCRIPTION:
# Update the /usr/src/linux symlink, clean stale differently-compressed
# modules, then (only when ROOT is empty) install the kernel with its
# initramfs or UKI through the runtime.
kernel-install_pkg_postinst() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	: "${KV_FULL:=${PV}${KV_LOCALVERSION}}"

	kernel-install_update_symlink "${EROOT}/usr/src/linux" "${KV_FULL}"
	dist-kernel_compressed_module_cleanup "${EROOT}/lib/modules/${KV_FULL}"

	if [[ -z ${ROOT} ]]; then
		kernel-install_install_all "${KV_FULL}"
	else
		elog "ROOT=${ROOT}: the kernel was not installed into /boot.  On the target"
		elog "system, finish with: emerge --config '=${CATEGORY}/${PF}'"
	fi

	if [[ -n ${KERNEL_IUSE_GENERIC_UKI} ]] && use generic-uki; then
		ewarn "The prebuilt generic initramfs and unified kernel image are experimental;"
		ewarn "keep another working kernel installed before rebooting."
	fi
}

# @FUNCTION: kernel-install_pkg_postrm
# @DESCRIPTION:
# When the kernel is really removed (not replaced by a rebuild of the same
# version) and ROOT is empty, remove its boot files through
# "dist-kernel remove", except for the running kernel; then clean the
# initrd/uki.efi left in its tree.
kernel-install_pkg_postrm() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	: "${KV_FULL:=${PV}${KV_LOCALVERSION}}"

	[[ -z ${ROOT} ]] || return 0
	# a rebuild of the same slot: its postinst already installed the new files
	[[ -z ${REPLACED_BY_VERSION} ]] || return 0

	if [[ ${KV_FULL} == "$(uname -r)" ]]; then
		ewarn "Kernel ${KV_FULL} is the running kernel.  Its files under /usr/src and"
		ewarn "/lib/modules are removed, but its boot entry is kept so that the system"
		ewarn "still boots; remove it after rebooting into another kernel with:"
		ewarn "    dist-kernel remove ${KV_FULL}"
	else
		ebegin "Removing kernel ${KV_FULL} from the boot files through dist-kernel"
		_dist-kernel_runtime remove "${KV_FULL}" --package "${CATEGORY}/${PF}"
		if ! eend ${?}; then
			eerror "Removing the boot files of kernel ${KV_FULL} failed, see above."
			eerror "Retry with: dist-kernel remove ${KV_FULL}"
		fi
	fi

	# links into the removed tree (build, source, initrd, uki.efi ...)
	if [[ -d ${EROOT}/lib/modules/${KV_FULL} ]]; then
		find -L "${EROOT}/lib/modules/${KV_FULL}" -type l -delete
	fi

	if [[ -z ${KERNEL_IUSE_GENERIC_UKI} ]]; then
		local kernel_dir=${EROOT}/usr/src/linux-${KV_FULL} image_path
		image_path=$(dist-kernel_get_image_path) || die
		if [[ -d ${kernel_dir} ]]; then
			rm -f -- "${kernel_dir}/${image_path%/*}"/{initrd,uki.efi} &&
				find "${kernel_dir}" -depth -type d -empty -delete
		fi
	fi
}

# @FUNCTION: kernel-install_pkg_config
# @DESCRIPTION:
# Rerun the installation (initramfs or UKI, then the install backend), e.g.
# after installing linux-firmware: emerge --config <package>:<slot>.
kernel-install_pkg_config() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	[[ -z ${ROOT} ]] || die "ROOT=${ROOT}: run emerge --config on the target system itself"
	: "${KV_FULL:=${PV}${KV_LOCALVERSION}}"

	kernel-install_install_all "${KV_FULL}"
}

# @FUNCTION: kernel-install_compress_modules
# @DESCRIPTION:
# With USE=modules-compress, compress the modules installed in
# ${ED}/lib/modules/${KV_FULL} in the kernel's configured format.
kernel-install_compress_modules() {
	debug-print-function "${FUNCNAME[0]}" "${@}"
	in_iuse modules-compress && use modules-compress || return 0
	: "${KV_FULL:=${PV}${KV_LOCALVERSION}}"

	local compressor
	compressor=$(dist-kernel_get_compressor "${ED}/usr/src/linux-${KV_FULL}/.config") || die
	[[ -n ${compressor} ]] || return 0

	einfo "Compressing kernel modules (${compressor%% *}) ..."
	local -a command
	read -ra command <<<"${compressor}"
	find "${ED}/lib/modules/${KV_FULL}" -name '*.ko' -print0 |
		xargs -0 -r -P "$(makeopts_jobs)" -n 128 "${command[@]}"
	pipestatus || die "Compressing kernel modules failed"

	# modules.dep and friends name the files: rebuild them for the new names
	depmod --all --basedir "${ED}" "${KV_FULL}" ||
		die "depmod for the compressed modules of ${KV_FULL} failed"
}

fi

EXPORT_FUNCTIONS src_test pkg_pretend pkg_preinst pkg_postinst pkg_postrm pkg_config
