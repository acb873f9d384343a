// `sbverify --list IMAGE` output: one `signature N` header per Authenticode signature in the PE's certificate
// table; nothing (and "No signature table present" on stderr) for an unsigned image. Pure: text in, count out.

export function countSignatures(listOutput: string): number {
	return listOutput.split('\n').filter((line) => /^signature [0-9]+$/.test(line.trim())).length;
}
