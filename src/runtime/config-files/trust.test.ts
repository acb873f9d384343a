import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempRoot, type TempRoot } from '../../../test/helpers/temp-root';
import { assertTrusted } from './trust';

let root: TempRoot;
afterEach(() => root.cleanup());

describe('assertTrusted', () => {
	it('accepts root-owned files that only root can write', () => {
		root = makeTempRoot();
		const file = root.write('/etc/dracut.conf.d/10.conf', 'x=1\n', 0o644);
		expect(() => assertTrusted(file, '/etc/dracut.conf.d/10.conf')).not.toThrow();
		expect(() => assertTrusted(root.path('/etc/missing.conf'))).not.toThrow();
	});

	it('refuses a world-writable file, naming it and its mode', () => {
		root = makeTempRoot();
		const file = root.write('/etc/dracut.conf.d/10.conf', 'x=1\n');
		chmodSync(file, 0o666);
		expect(() => assertTrusted(file, '/etc/dracut.conf.d/10.conf')).toThrow(
			'/etc/dracut.conf.d/10.conf is writable by every user (mode 0666)',
		);
	});

	it('refuses a file owned by another user and a group-writable file of a non-root group', () => {
		root = makeTempRoot();
		const owned = root.write('/etc/a.conf', 'x=1\n');
		chownSync(owned, 1000, 0);
		expect(() => assertTrusted(owned, '/etc/a.conf')).toThrow(/owned by uid 1000/);
		const group = root.write('/etc/b.conf', 'x=1\n');
		chownSync(group, 0, 100);
		chmodSync(group, 0o664);
		expect(() => assertTrusted(group, '/etc/b.conf')).toThrow(/writable by group 100/);
	});

	it('refuses a file inside a world-writable directory', () => {
		root = makeTempRoot();
		mkdirSync(root.path('/etc/kernel/postinst.d'), { recursive: true });
		const file = root.write('/etc/kernel/postinst.d/hook', '#!/bin/sh\n', 0o755);
		chmodSync(root.path('/etc/kernel/postinst.d'), 0o777);
		expect(() => assertTrusted(file, '/etc/kernel/postinst.d/hook')).toThrow(
			/directory not protected from other users: \/etc\/kernel\/postinst.d is writable by every user/,
		);
	});
});
