// Deferred work completed after a killed emerge starts with depmod (src/runtime/features/install/refresh-module-index.ts):
// real depmod, under a temp root through --basedir, never outside it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshModuleIndex } from '../../src/runtime/features/install/refresh-module-index';
import { makeTempRoot, type TempRoot } from '../helpers/temp-root';
import { runtimeContext } from './runtime-context';

const KV = '6.6.30-gentoo-dist';
const temps: TempRoot[] = [];
afterEach(() => {
	for (const temp of temps.splice(0)) temp.cleanup();
});

describe('refreshModuleIndex', () => {
	it('rebuilds modules.dep of the kernel under --root', async () => {
		const temp = makeTempRoot('dk-depmod-');
		temps.push(temp);
		mkdirSync(temp.path(`/lib/modules/${KV}/extra`), { recursive: true });
		await refreshModuleIndex(runtimeContext(temp.root), KV);
		expect(readFileSync(temp.path(`/lib/modules/${KV}/modules.dep`), 'utf8')).toBe('');
		expect(existsSync(temp.path(`/lib/modules/${KV}/modules.alias`))).toBe(true);
	});

	it('does nothing for a kernel without a module directory, or in a dry run', async () => {
		const temp = makeTempRoot('dk-depmod-');
		temps.push(temp);
		await refreshModuleIndex(runtimeContext(temp.root), KV);
		expect(existsSync(temp.path('/lib/modules'))).toBe(false);
		mkdirSync(temp.path(`/lib/modules/${KV}`), { recursive: true });
		await refreshModuleIndex(runtimeContext(temp.root, { dryRun: true }), KV);
		expect(existsSync(temp.path(`/lib/modules/${KV}/modules.dep`))).toBe(false);
	});

	it('refuses a kernel version that is not one (a path)', async () => {
		const temp = makeTempRoot('dk-depmod-');
		temps.push(temp);
		await expect(refreshModuleIndex(runtimeContext(temp.root), '../../etc')).rejects.toMatchObject({
			code: 'input.kernel-version',
		});
	});
});
