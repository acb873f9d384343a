// Kernel command lines (as in /proc/cmdline, /etc/kernel/cmdline, a BLS `options` line or a UKI's .cmdline):
// split into parameters, read `root=`. Pure.

/** Parameters in order; double quotes group (`foo="a b"`) as the kernel's own parser does, and are removed. */
export function splitCmdline(text: string): string[] {
	const out: string[] = [];
	let current = '';
	let quoted = false;
	let has = false;
	for (const c of text) {
		if (c === '"') {
			quoted = !quoted;
			has = true;
		} else if (!quoted && /\s/.test(c)) {
			if (has) out.push(current);
			current = '';
			has = false;
		} else {
			current += c;
			has = true;
		}
	}
	if (has) out.push(current);
	return out;
}

/** The value of the last `name=` parameter (the kernel and dracut let the last one win). */
export function cmdlineValue(params: readonly string[], name: string): string | undefined {
	let value: string | undefined;
	for (const p of params) if (p.startsWith(`${name}=`)) value = p.slice(name.length + 1);
	return value;
}

/** Parameters without any `name=…` (or bare `name`) for the given names. */
export function withoutParams(params: readonly string[], names: readonly string[]): string[] {
	return params.filter((p) => !names.some((n) => p === n || p.startsWith(`${n}=`)));
}

/** How `root=` names the root filesystem. */
export type RootSpec =
	| { kind: 'uuid'; value: string }
	| { kind: 'label'; value: string }
	| { kind: 'partuuid'; value: string }
	| { kind: 'device'; value: string }
	| { kind: 'none' }
	| { kind: 'other'; value: string };

export function parseRootSpec(value: string | undefined): RootSpec {
	if (value === undefined || value === '') return { kind: 'none' };
	const tagged = /^(UUID|LABEL|PARTUUID)=(.+)$/i.exec(value);
	if (tagged) return { kind: tagged[1]!.toLowerCase() as 'uuid' | 'label' | 'partuuid', value: tagged[2]! };
	const byLink = /^\/dev\/disk\/by-(uuid|label|partuuid)\/(.+)$/.exec(value);
	if (byLink)
		return {
			kind: byLink[1] as 'uuid' | 'label' | 'partuuid',
			value: byLink[2]!.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
		};
	if (/^\/dev\/[A-Za-z0-9/_.-]+$/.test(value)) return { kind: 'device', value };
	return { kind: 'other', value };
}
