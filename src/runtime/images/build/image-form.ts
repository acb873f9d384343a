// The form a kernel's boot image has now, so that a regeneration keeps it: a kernel installed as a UKI gets a new
// UKI, one with a plain initramfs a new initramfs, whatever the configuration says for new installs. Switching a
// kernel to the other form is `dist-kernel install KV`.

import { findBootFiles } from '../../boot/files/boot-files';
import type { RuntimeContext } from '../../context';

/** true: UKI; false: plain initramfs; undefined: nothing installed yet (the configuration decides). */
export function installedImageForm(ctx: Pick<RuntimeContext, 'root'>, kv: string): boolean | undefined {
	const files = findBootFiles(ctx.root, kv);
	if (files.ukis.length > 0) return true;
	if (files.initrds.some((f) => f.size > 0)) return false;
	return undefined;
}
