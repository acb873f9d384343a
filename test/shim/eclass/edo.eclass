# Test stand-in for Gentoo's edo.eclass (the real one comes from the gentoo
# repository).

if [[ -z ${_SHIM_EDO} ]]; then
_SHIM_EDO=1

edo() {
	einfo "${*}"
	"${@}" || die -n "Failed to run command: ${*}"
}

edob() {
	ebegin "Running ${*}"
	"${@}"
	eend ${?} || die -n "Failed to run command: ${*}"
}

fi
