# Test stand-in for Gentoo's toolchain-funcs.eclass (the real one comes from
# the gentoo repository): only what the eclasses under test call.

if [[ -z ${_SHIM_TOOLCHAIN_FUNCS} ]]; then
_SHIM_TOOLCHAIN_FUNCS=1

_shim_tc_tool() {
	local var=${1} default=${2}
	if [[ -n ${!var} ]]; then
		echo "${!var}"
	else
		echo "${CHOST:+${CHOST}-}${default}"
	fi
}

tc-getCC() { _shim_tc_tool CC gcc; }
tc-getCXX() { _shim_tc_tool CXX g++; }
tc-getLD() { _shim_tc_tool LD ld; }
tc-getAR() { _shim_tc_tool AR ar; }
tc-getNM() { _shim_tc_tool NM nm; }
tc-getOBJCOPY() { _shim_tc_tool OBJCOPY objcopy; }
tc-getOBJDUMP() { _shim_tc_tool OBJDUMP objdump; }
tc-getREADELF() { _shim_tc_tool READELF readelf; }
tc-getSTRIP() { _shim_tc_tool STRIP strip; }
tc-getBUILD_CC() { echo "${BUILD_CC:-gcc}"; }
tc-getBUILD_CXX() { echo "${BUILD_CXX:-g++}"; }
tc-getBUILD_STRIP() { echo "${BUILD_STRIP:-strip}"; }
tc-getBUILD_PKG_CONFIG() { echo "${BUILD_PKG_CONFIG:-pkg-config}"; }

# native builds: the build-host flags are the ordinary ones
tc-export_build_env() {
	: "${BUILD_CFLAGS:=${CFLAGS}}" "${BUILD_CXXFLAGS:=${CXXFLAGS}}"
	: "${BUILD_CPPFLAGS:=${CPPFLAGS}}" "${BUILD_LDFLAGS:=${LDFLAGS}}"
	export BUILD_CFLAGS BUILD_CXXFLAGS BUILD_CPPFLAGS BUILD_LDFLAGS
}

tc-arch-kernel() {
	case ${ARCH} in
		amd64|x86) echo x86 ;;
		arm64) echo arm64 ;;
		arm) echo arm ;;
		ppc|ppc64) echo powerpc ;;
		riscv) echo riscv ;;
		loong) echo loongarch ;;
		*) echo "${ARCH}" ;;
	esac
}

fi
