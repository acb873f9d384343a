// Shared steps of the real-Portage flows: run a flow script (failing with its output's tail), read images back.
import { readFileSync } from 'node:fs';
import { createExec } from '../../src/lib/exec';
import { createMemoryLogger } from '../../src/lib/log';
import { readPeSections, sectionData } from '../../src/parsers/pe-sections';
import {
	listInitramfs,
	listInitramfsBuffer,
	modulesInListing,
} from '../../src/runtime/images/initramfs-reader/read-initramfs';
import { type PortageRoot, testBundle } from './portage-root';

const exec = createExec({ logger: createMemoryLogger() });

/** Runs `script` in the root under `set -euo pipefail`; throws with the output's tail when it fails. */
export async function runFlow(root: PortageRoot, name: string, script: string): Promise<string> {
	const result = await root.run(
		name,
		`set -euo pipefail\ncd /\nexport DK_BUNDLE=${JSON.stringify(testBundle())}\n${script}\n`,
	);
	if (result.code !== 0) {
		const tail = result.output.split('\n').slice(-80).join('\n');
		throw new Error(
			`flow step ${name} failed (exit ${result.code ?? result.signal}); log: ${root.dir}/${name}.log\n${tail}`,
		);
	}
	// the root's declared layers hide the foreign host layer: nothing of it may have run or been read
	const traces = root.foreignTraces();
	if (traces.length > 0)
		throw new Error(
			`flow step ${name} ran or read foreign host files (test/portage/foreign-host.ts): ${traces.join(' ')}; log: ${root.dir}/${name}.log`,
		);
	return result.output;
}

/** Module file names in the initramfs at `path` (host path) for kernel `kv`. */
export async function initramfsModules(path: string, kv: string): Promise<Set<string>> {
	return modulesInListing(await listInitramfs(exec, path), kv);
}

/** Section names of a PE image, and the module names of its .initrd section. */
export async function ukiContents(path: string, kv: string): Promise<{ sections: string[]; modules: Set<string> }> {
	const image = readFileSync(path);
	const sections = readPeSections(image);
	const initrd = sections.find((s) => s.name === '.initrd');
	const modules = initrd
		? modulesInListing(await listInitramfsBuffer(exec, sectionData(image, initrd)), kv)
		: new Set<string>();
	return { sections: sections.map((s) => s.name), modules };
}
