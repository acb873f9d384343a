// Bench entry point: prints every entry of an initramfs (mode, size, name), like `lsinitrd` prints its listing,
// through the runtime's own reader (src/runtime/initramfs-reader). Bundled by bench/lib/bundle.ts.
import { createExec } from '../../src/lib/exec';
import { createLogger } from '../../src/lib/log';
import { listInitramfs } from '../../src/runtime/initramfs-reader/read-initramfs';

const image = process.argv[2];
if (!image) throw new Error('usage: list-initramfs IMAGE');
const listing = await listInitramfs(createExec({ logger: createLogger({ verbose: false }) }), image);
const lines = listing.entries.map((e) => `${e.mode.toString(8).padStart(7, '0')} ${String(e.size).padStart(10)} ${e.name}`);
process.stdout.write(`${lines.join('\n')}\n`);
