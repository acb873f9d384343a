// Bench entry point: prints every entry of an initramfs (mode, size, name), like `lsinitrd` prints its listing,
// through the runtime's own reader (src/runtime/initramfs-reader). Bundled by bench/lib/bundle.ts.
// `--system-zstd` is the other way to read: the zstd segment handed to one bare spawnSync(zstd) (no exec wrapper, no
// fzstd fallback), its whole output read from the pipe into memory, then parsed by the same cpio parser. Since the
// reader spools the output into a file and reads only the headers back, this is slower than the reader.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createExec } from '../../src/lib/exec';
import { createLogger } from '../../src/lib/log';
import { type CpioEntry, isCpioAt, parseCpioSequence, skipZeros } from '../../src/parsers/cpio';
import { detectCompression } from '../../src/parsers/initramfs-compression';
import { listInitramfs } from '../../src/runtime/images/initramfs-reader/read-initramfs';

const args = process.argv.slice(2);
const systemZstd = args.includes('--system-zstd');
const image = args.find((a) => !a.startsWith('--'));
if (!image) throw new Error('usage: list-initramfs [--system-zstd] IMAGE');
const exec = createExec({ logger: createLogger({ verbose: false }) });

async function withSystemZstd(path: string): Promise<CpioEntry[]> {
	const data = readFileSync(path);
	const entries: CpioEntry[] = [];
	let at = skipZeros(data, 0);
	while (at < data.length && isCpioAt(data, at)) {
		const archive = parseCpioSequence(data, at);
		entries.push(...archive.entries);
		at = skipZeros(data, archive.end);
	}
	if (at < data.length) {
		if (detectCompression(data, at) !== 'zstd') return (await listInitramfs(exec, path)).entries;
		// NUL padding after the last frame is legal for the kernel but not for the zstd tool.
		let end = data.length;
		while (end > at && data[end - 1] === 0) end -= 1;
		// Not through src/lib/exec.ts: execa's default maxBuffer (100 MB) is smaller than this image unpacked.
		const result = spawnSync('zstd', ['-dc', '-q'], { input: data.subarray(at, end), maxBuffer: 1 << 30 });
		if (result.status !== 0) throw new Error(`zstd -dc failed: ${String(result.stderr)}`);
		entries.push(...parseCpioSequence(result.stdout).entries);
	}
	return entries;
}

const entries = systemZstd ? await withSystemZstd(image) : (await listInitramfs(exec, image)).entries;
const lines = entries.map((e) => `${e.mode.toString(8).padStart(7, '0')} ${String(e.size).padStart(10)} ${e.name}`);
process.stdout.write(`${lines.join('\n')}\n`);
