// A UKI is configured (dist-kernel `uki = yes`, or `auto` with dracut's uefi=yes) but the EFI stub dracut needs is
// missing: the next kernel install would fail. The lookup is the install pipeline's own (uki/find-stub).
import { isDistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';
import { findEfiStub } from '../../images/uki/find-stub';
import type { Finding } from './finding';

export function checkEfiStub(
	ctx: Pick<RuntimeContext, 'root'>,
	ukiWanted: boolean,
	configuredStub?: string,
): Finding[] {
	if (!ukiWanted) return [];
	try {
		findEfiStub(ctx, configuredStub ? { configured: configuredStub } : {});
		return [];
	} catch (error) {
		if (!isDistKernelError(error, 'uki.stub-missing')) throw error;
		return [
			{
				id: 'uki.no-efi-stub',
				level: 'error',
				subject: configuredStub ?? 'EFI stub',
				message: `a unified kernel image is configured but ${error.message}`,
				fix:
					error.hint ??
					'install sys-apps/systemd[boot] (or sys-apps/systemd-utils[boot]), or set uki = no in /etc/dist-kernel/dist-kernel.conf',
			},
		];
	}
}
