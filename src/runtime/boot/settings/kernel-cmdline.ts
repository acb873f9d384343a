// The command line embedded in a UKI. dracut does not read /etc/kernel/cmdline, kernel-install and ukify do:
// follow them ($KERNEL_INSTALL_CONF_ROOT is /etc/kernel here, then /usr/lib/kernel), else dracut's kernel_cmdline.
import { readFileSync } from 'node:fs';
import { systemView } from '../../../lib/root';
import { assertTrusted } from '../../config-files/trust';
import type { RuntimeContext } from '../../context';
import { systemPath } from '../../context';

export interface KernelCmdline {
	value: string;
	/** Where it came from, as the target system sees it, or 'dracut kernel_cmdline'. */
	source: string;
}

/** Comment lines dropped, lines joined by single spaces (what kernel-install does with the file). */
export function normalizeCmdline(text: string): string {
	return text
		.split('\n')
		.filter((line) => !line.trimStart().startsWith('#'))
		.join(' ')
		.split(/\s+/)
		.filter(Boolean)
		.join(' ');
}

export function readKernelCmdline(
	ctx: Pick<RuntimeContext, 'root'>,
	dracutCmdline?: string,
): KernelCmdline | undefined {
	for (const file of ['/etc/kernel/cmdline', '/usr/lib/kernel/cmdline']) {
		const path = systemPath(ctx, file);
		let content: string;
		try {
			content = readFileSync(path, 'utf8');
		} catch {
			continue;
		}
		assertTrusted(path, systemView(ctx.root, path));
		return { value: normalizeCmdline(content), source: file };
	}
	return dracutCmdline ? { value: dracutCmdline.trim(), source: 'dracut kernel_cmdline' } : undefined;
}
