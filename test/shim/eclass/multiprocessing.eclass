# Test stand-in for Gentoo's multiprocessing.eclass (the real one comes from
# the gentoo repository).

if [[ -z ${_SHIM_MULTIPROCESSING} ]]; then
_SHIM_MULTIPROCESSING=1

makeopts_jobs() {
	if [[ " ${MAKEOPTS} " =~ [[:space:]]-j[[:space:]]*([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		nproc
	fi
}

fi
