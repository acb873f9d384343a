import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../../test/helpers/temp-root';
import { createExec } from '../../../lib/exec';
import { createMemoryLogger } from '../../../lib/log';
import { nextProtectName, protectedCopies, sha256, writeProtected } from './config-protect';

describe('nextProtectName', () => {
	it('starts at 0000 and goes one above the highest copy of the same file', () => {
		expect(nextProtectName([], 'a.conf')).toBe('._cfg0000_a.conf');
		expect(nextProtectName(['._cfg0000_a.conf', '._cfg0003_a.conf', '._cfg0007_b.conf', 'a.conf'], 'a.conf')).toBe(
			'._cfg0004_a.conf',
		);
	});
	it('ignores names that only look similar', () => {
		expect(protectedCopies(['._cfg00x0_a.conf', '._cfg0001_a.confx', '._cfg0002_xa.conf'], 'a.conf')).toEqual([]);
	});
});

describe('writeProtected', () => {
	let temp: TempRoot;
	afterEach(() => temp?.cleanup());
	const exec = createExec({ logger: createMemoryLogger() });

	it('creates a missing file, then reports it unchanged', async () => {
		temp = makeTempRoot();
		const path = join(temp.root, 'etc', 'x.conf');
		expect((await writeProtected(path, 'a\n', { dryRun: false, exec })).action).toBe('created');
		expect(readFileSync(path, 'utf8')).toBe('a\n');
		expect((await writeProtected(path, 'a\n', { dryRun: false, exec })).action).toBe('unchanged');
	});

	it('replaces a file still holding what we wrote last time', async () => {
		temp = makeTempRoot();
		const path = temp.write('/etc/x.conf', 'old\n');
		const result = await writeProtected(path, 'new\n', { ownHash: sha256('old\n'), dryRun: false, exec });
		expect(result.action).toBe('updated');
		expect(readFileSync(path, 'utf8')).toBe('new\n');
	});

	it('keeps an edited file, writes ._cfg0000_ once and shows the diff', async () => {
		temp = makeTempRoot();
		const path = temp.write('/etc/x.conf', 'mine\n');
		const first = await writeProtected(path, 'ours\n', { ownHash: sha256('old\n'), dryRun: false, exec });
		expect(first.action).toBe('protected');
		expect(first.protectedPath).toBe(join(temp.root, 'etc', '._cfg0000_x.conf'));
		expect(first.diff).toContain('-mine');
		expect(first.diff).toContain('+ours');
		expect(readFileSync(path, 'utf8')).toBe('mine\n');
		expect(readFileSync(first.protectedPath!, 'utf8')).toBe('ours\n');
		const again = await writeProtected(path, 'ours\n', { dryRun: false, exec });
		expect(again.protectedPath).toBe(first.protectedPath);
		const changed = await writeProtected(path, 'ours 2\n', { dryRun: false, exec });
		expect(changed.protectedPath).toBe(join(temp.root, 'etc', '._cfg0001_x.conf'));
	});

	it('writes nothing in a dry run', async () => {
		temp = makeTempRoot();
		const path = temp.write('/etc/x.conf', 'mine\n');
		const result = await writeProtected(path, 'ours\n', { dryRun: true, exec });
		expect(result.action).toBe('protected');
		expect(readdirSync(join(temp.root, 'etc'))).toEqual(['x.conf']);
	});
});
