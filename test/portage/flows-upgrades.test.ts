// Flows 2 and 3 of flows.test.ts, the kernel-install and installkernel backends: each a kernel upgrade by REAL
// Portage from the saved first-kernel state (test/portage/upgrade-flow.ts), in a file of its own so that it runs beside
// the others.
import { describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotHost } from './host-guard';
import { whyNoRoot } from './throwaway-root';
import { backendCaseTitle, backendUpgrade } from './upgrade-flow';

const hostBefore = snapshotHost();
const why = whyNoRoot();

it('a throw-away root can be built here (root, unshare, overlayfs over /, chroot)', () => {
	expect(why).toBeUndefined();
});

describe('flows 2 and 3: kernel upgrade by emerge -uDN @world, each install backend (eclass-overrides)', () => {
	for (const backend of ['kernel-install', 'installkernel'] as const) {
		it(backendCaseTitle(backend), async () => {
			if (why) throw new Error(why);
			await backendUpgrade(backend);
		});
	}
});

it('the host /boot, /lib/modules, /usr/src and /var/db are byte-for-byte unchanged', () => {
	expect(diffSnapshots(hostBefore, snapshotHost())).toEqual([]);
});
