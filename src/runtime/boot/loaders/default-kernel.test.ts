import { describe, expect, it } from 'vitest';
import { defaultEntryKernels } from './default-kernel';

const kvs = ['6.1.1-gentoo-dist', '6.1.12-gentoo-dist', '6.12.8-gentoo-dist'];
const entry = (value: string) => ({ source: '/efi/loader/loader.conf', value });

describe('defaultEntryKernels', () => {
	it.each([
		['gentoo-6.1.12-gentoo-dist.conf', '6.1.12-gentoo-dist'],
		['gentoo-6.1.1-gentoo-dist.efi', '6.1.1-gentoo-dist'],
		['0123456789abcdef-6.12.8-gentoo-dist', '6.12.8-gentoo-dist'],
		['Gentoo GNU/Linux, with Linux 6.1.12-gentoo-dist', '6.1.12-gentoo-dist'],
	])('finds the release inside %j', (value, kv) => {
		expect([...defaultEntryKernels([entry(value)], kvs)]).toEqual([kv]);
	});

	it('does not take 6.1.1 for 6.1.12', () => {
		expect([
			...defaultEntryKernels([entry('gentoo-6.1.12-gentoo-dist.conf')], ['6.1.1-gentoo-dist', '6.1.12-gentoo-dist']),
		]).toEqual(['6.1.12-gentoo-dist']);
		expect([...defaultEntryKernels([entry('linux-6.1.12')], ['6.1.1'])]).toEqual([]);
	});

	it('protects the highest version for a systemd-boot pattern', () => {
		expect([...defaultEntryKernels([entry('gentoo-*')], kvs)]).toEqual(['6.12.8-gentoo-dist']);
	});

	it('names nothing for an entry about another system', () => {
		expect([...defaultEntryKernels([entry('windows.conf')], kvs)]).toEqual([]);
	});
});
