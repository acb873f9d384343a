// Test files that build the same few images again and again (the QEMU files' compat, BLS and silent-KVM roots have
// one dracut configuration, their two Secure Boot roots one UKI; most of test/runtime/pipeline's roots one): a
// `dracut` first on PATH runs the real dracut once per
// distinct input, keeps its image under .cache/dracut-images, and hands a copy of that image to every later run with
// the same input (an image unused for a week is removed). The key is everything such a run reads that differs
// between test roots: the arguments (without the output and temporary paths), the staged configuration files'
// contents, the module tree of --kmoddir (names and sizes, modules.dep's content), the files named by --uefi-stub
// and --kernel-image, dracut's own installation, and the environment variables dracut reads. A run that fails or
// writes nothing is not kept.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from './debian-kernel';

const DIR = join(CACHE_DIR, 'dracut-images');
const BIN = join(DIR, 'bin');

function realDracut(): string {
	const found = execFileSync('sh', ['-c', 'command -v dracut'], { encoding: 'utf8' }).trim();
	if (!found || found.startsWith(BIN)) throw new Error(`no real dracut on PATH (found: ${found || 'nothing'})`);
	return found;
}

let written: string | undefined;

/** The directory holding the caching `dracut` (written once per test file). */
function cachingDracutDir(): string {
	if (written) return written;
	const script = [
		'#!/bin/bash',
		'# Written by test/verify/dracut-cache.ts: the real dracut, its images kept by input (see there).',
		'set -euo pipefail',
		`real='${realDracut()}' cache='${DIR}'`,
		'out=${!#}',
		'key() {',
		'	echo dist-kernel-test-dracut-cache-1',
		'	stat -c "%n %s %Y" "${real}" /usr/lib/dracut/dracut-functions.sh /usr/lib/dracut/modules.d',
		"	env | grep -E '^(DRACUT|dracut|INITRD_COMPRESS|SOURCE_DATE_EPOCH)' | LC_ALL=C sort || true",
		'	local i arg next',
		'	for ((i = 1; i < $#; i++)); do',
		'		arg=${!i} next=$((i + 1))',
		'		printf "%s\\n" "${arg}"',
		'		case ${arg} in',
		'			--tmpdir) i=${next} ;;',
		'			--conf | --uefi-stub | --kernel-image) i=${next}; sha256sum < "${!i}" ;;',
		'			--confdir)',
		'				i=${next}',
		'				(cd "${!i}" && find . -type f -printf "%P\\n" | LC_ALL=C sort | while read -r f; do echo "${f}"; sha256sum < "${f}"; done) ;;',
		'			--kmoddir)',
		'				i=${next}',
		'				(cd "${!i}" && find . -printf "%P %y %s\\n" | LC_ALL=C sort && sha256sum < modules.dep) ;;',
		'		esac',
		'	done',
		'}',
		'entry=${cache}/$(key "$@" | sha256sum | cut -c1-32).img',
		'# (an entry another run removes between the test and the copy: built again below)',
		'if [[ -s ${entry} ]] && cp --preserve=mode "${entry}" "${out}" 2>/dev/null; then',
		'	touch "${entry}" || true',
		'	exit 0',
		'fi',
		'"${real}" "$@"',
		'if [[ -s ${out} ]]; then',
		'	# keeping it is best effort: the run itself succeeded',
		'	{ cp --preserve=mode "${out}" "${entry}.$$" && mv -f "${entry}.$$" "${entry}"; } || rm -f "${entry}.$$"',
		'	# images of kernels or configurations no run used for a week',
		'	find "${cache}" -maxdepth 1 -name \'*.img\' -mtime +7 -delete || true',
		'fi',
		'',
	].join('\n');
	mkdirSync(BIN, { recursive: true });
	// written whole and renamed: another test file may be running it
	const tmp = join(BIN, `dracut.${process.pid}`);
	writeFileSync(tmp, script, { mode: 0o755 });
	renameSync(tmp, join(BIN, 'dracut'));
	written = BIN;
	return BIN;
}

/** This test file's runs (and the programs they start) find the caching dracut first on PATH. */
export function useCachingDracut(): void {
	const dir = cachingDracutDir();
	const path = process.env['PATH'] ?? '';
	if (!path.startsWith(`${dir}:`)) process.env['PATH'] = `${dir}:${path}`;
}
