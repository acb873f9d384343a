// Secure Boot findings: which key signs what (info), an enforcing firmware with no key or a broken key source.
import type { SecureBootStatus } from '../../images/secureboot/secureboot-status';
import { describeSecureBoot } from '../../images/secureboot/secureboot-status';
import type { Finding } from './finding';

export function checkSecureBoot(status: SecureBootStatus): Finding[] {
	const findings: Finding[] = [];
	const summary = describeSecureBoot(status)
		.map((l) => l.trim())
		.join('; ');
	if (status.keyError) {
		findings.push({
			id: status.keyError.code,
			level: 'error',
			subject: 'Secure Boot signing key',
			message: status.keyError.message,
			fix: status.keyError.hint ?? 'fix the key configuration (README "Secure Boot")',
		});
	} else if (!status.key && status.firmware === 'enabled') {
		findings.push({
			id: 'secureboot.no-key',
			level: status.signs.length > 0 ? 'error' : 'warning',
			subject: 'Secure Boot',
			message: `this machine runs with Secure Boot enabled but no signing key is configured${status.signs.length > 0 ? `: the next install of ${status.signs.join(', ')} will be refused` : ''}`,
			fix: "set secureboot-key and secureboot-cert in /etc/dist-kernel/dist-kernel.conf (or SECUREBOOT_SIGN_KEY/_CERT in make.conf, dracut's uefi_secureboot_key/_cert, sbctl create-keys)",
		});
	}
	// Nothing to say on a machine without Secure Boot and without a key: no finding, so a clean system reads clean.
	if (status.key || status.firmware === 'enabled' || status.firmware === 'setup-mode')
		findings.push({
			id: 'secureboot.state',
			level: 'info',
			subject: 'Secure Boot',
			message: summary,
			fix: 'nothing to do',
		});
	return findings;
}
