// The rescue image's files, named as dracut's 51-dracut-rescue names them: /boot/vmlinuz-0-rescue-<machine-id> and
// initramfs-0-rescue-<machine-id>.img, or with BLS $BOOT_ROOT/<machine-id>/0-rescue/{linux,initrd} and
// loader/entries/<machine-id>-0-rescue.conf; the UKI and efistub layouts use the same `0-rescue-<machine-id>`
// version in their own names. Never `.old` copies, never a version-less name: it is nobody's "latest kernel".
import type { Layout } from '../../../parsers/install-conf';
import { type LayoutNames, type LayoutPlan, planLayout } from '../../boot/layouts/layout-plan';

export interface RescuePlan {
	/** The "version" the layout's names are built with. */
	version: string;
	plan: LayoutPlan;
}

export function rescuePlan(
	layout: Layout,
	names: LayoutNames,
	machineId: string,
	inputs: { uki: boolean; microcode: readonly ('intel' | 'amd')[] },
): RescuePlan {
	const bls = layout === 'bls';
	const version = bls ? '0-rescue' : `0-rescue-${machineId}`;
	// dracut's rescue entry has no boot counting.
	const { tries: _tries, ...plain } = names;
	const plan = planLayout(
		layout,
		{ ...plain, kv: version, ...(bls ? { entryToken: machineId } : {}) },
		{ initrd: true, uki: inputs.uki, systemMap: false, config: false, microcode: inputs.microcode },
	);
	return {
		version,
		plan: {
			layout: plan.layout,
			files: plan.files.map((f) => ({ ...f, keepsOld: false })),
			...(plan.entry ? { entry: plan.entry } : {}),
		},
	};
}
