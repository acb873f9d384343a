// A symlink planted in /boot where a boot file will be written, pointing outside the root: the run must refuse
// (typed error, exit ≠ 0) and the file outside must keep its bytes and mtime; the link must not be followed.
import { lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloneRoot } from '../lib/fault-root';
import { outputTail, runDistKernel } from '../lib/run-dist-kernel';
import type { FaultRow, Progress } from './fault-result';

export interface PlantedOptions {
	bin: string;
	work: string;
	/** Root with the kernel linked in but not installed. */
	template: string;
	kv: string;
	progress?: Progress;
}

export async function plantedSymlinks(options: PlantedOptions): Promise<FaultRow> {
	const scratch = join(options.work, 'planted');
	const root = join(scratch, 'root');
	const names = [`vmlinuz-${options.kv}`, `initramfs-${options.kv}.img`, `System.map-${options.kv}`];
	let survived = 0;
	const failures: string[] = [];
	for (const name of names) {
		rmSync(scratch, { recursive: true, force: true });
		mkdirSync(join(scratch, 'outside'), { recursive: true });
		const target = join(scratch, 'outside', 'precious');
		writeFileSync(target, 'must stay\n');
		const before = statSync(target).mtimeMs;
		cloneRoot(options.template, root);
		mkdirSync(join(root, 'boot'), { recursive: true });
		symlinkSync(target, join(root, 'boot', name));
		const result = await runDistKernel({ bin: options.bin, root, args: ['install', options.kv] });
		const text = `${result.stderr}${result.stdout}`;
		const intact = readFileSync(target, 'utf8') === 'must stay\n' && statSync(target).mtimeMs === before;
		const stillLink = lstatSync(join(root, 'boot', name), { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
		const refused = result.code !== 0 && !/internal error/i.test(text);
		if (intact && refused) survived += 1;
		else
			failures.push(
				`${name}: ${[refused ? '' : `exit ${result.code}`, intact ? '' : 'OUTSIDE FILE CHANGED', stillLink ? '' : 'link replaced'].filter(Boolean).join(', ')} [${outputTail(result, 1)}]`,
			);
		options.progress?.(
			`planted symlink /boot/${name}: exit ${result.code}, outside file ${intact ? 'intact' : 'CHANGED'}, link ${stillLink ? 'kept' : 'replaced'}`,
		);
	}
	rmSync(scratch, { recursive: true, force: true });
	return {
		kind: 'hostile input',
		subject: 'symlinks planted in /boot',
		tried: names.length,
		survived,
		notes:
			failures.length === 0
				? 'refused with a typed error; the file outside the root untouched'
				: `FAILED: ${failures.join(' | ')}`,
	};
}
