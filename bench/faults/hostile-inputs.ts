// Hostile kernel versions, package names and paths on the command line: every one must be refused (exit ≠ 0,
// a typed error, not an internal one) before anything is written — checked with a fingerprint (path, size,
// mtime) of the whole scratch directory around the root, so an escape outside the root is seen too — and
// before dracut runs (a counting dracut is first on PATH).
import { lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDracutCounter } from '../lib/dracut-counter';
import { cloneRoot, putFile } from '../lib/fault-root';
import { outputTail, runDistKernel } from '../lib/run-dist-kernel';
import type { FaultRow, Progress } from './fault-result';

/** Paths with size and mtime of everything under `dir`, except the kernel trees linked in read-only. */
function fingerprint(dir: string, skip: RegExp): Map<string, string> {
	const out = new Map<string, string>();
	const walk = (rel: string) => {
		for (const name of readdirSync(join(dir, rel))) {
			const sub = rel ? `${rel}/${name}` : name;
			const st = lstatSync(join(dir, sub));
			out.set(sub, `${st.mode} ${st.size} ${st.mtimeMs}`);
			if (st.isDirectory() && !skip.test(sub)) walk(sub);
		}
	};
	walk('');
	return out;
}

function sameFingerprint(a: Map<string, string>, b: Map<string, string>): string[] {
	const diff: string[] = [];
	for (const [k, v] of a) if (b.get(k) !== v) diff.push(b.has(k) ? `~${k}` : `-${k}`);
	for (const k of b.keys()) if (!a.has(k)) diff.push(`+${k}`);
	return diff;
}

export const HOSTILE_KERNEL_VERSIONS = [
	'../../escape/pwned',
	'6.1.0/../../../escape',
	'..',
	'.',
	'',
	' ',
	'-rf',
	'--root=/',
	'6.1.0\nmalicious',
	'6.1.0;touch /tmp/dk-pwned',
	'$(touch /tmp/dk-pwned)',
	'`id`',
	'6.1.0 6.1.1',
	'a'.repeat(300),
	'\u202e6.1.0',
	'6.1.0-gentoo-dist/',
	'/boot/vmlinuz',
	'~',
	'*',
	'6.1.0\r',
];

export const HOSTILE_PACKAGES = [
	'sys-kernel/../../escape',
	'../../etc',
	'sys-kernel/gentoo-kernel;rm -rf /',
	'sys-kernel',
	'/sys-kernel/gentoo-kernel',
	'a/b/c',
	'-x/y',
	'sys-kernel/gentoo-kernel\n6',
	'sys kernel/gentoo-kernel',
	'$(id)/x',
];

export interface HostileCase {
	label: string;
	args: string[];
	/** Files written into the root (system paths) for this case only: hostile configuration. */
	files?: Record<string, string>;
}

export function hostileCases(validKv: string): HostileCase[] {
	const cases: HostileCase[] = [];
	for (const kv of HOSTILE_KERNEL_VERSIONS) {
		for (const command of ['install', 'remove', 'initramfs'])
			cases.push({ label: `${command} KV=${JSON.stringify(kv.slice(0, 24))}`, args: [command, kv] });
		cases.push({
			label: `plugin add KV=${JSON.stringify(kv.slice(0, 24))}`,
			args: ['plugin', 'dist-kernel', 'add', kv, '/boot/entry', '/boot/vmlinuz'],
		});
	}
	for (const pkg of HOSTILE_PACKAGES) {
		for (const command of ['install', 'initramfs', 'remove'])
			cases.push({
				label: `${command} --package ${JSON.stringify(pkg.slice(0, 24))}`,
				args: [command, validKv, '--package', pkg],
			});
	}
	const paths = [
		'../../escape/image',
		'relative/vmlinuz',
		'/boot/../../escape/image',
		'/nonexistent/vmlinuz',
		'/boot/x\nevil',
	];
	for (const path of paths)
		cases.push({ label: `install --image ${JSON.stringify(path)}`, args: ['install', validKv, '--image', path] });
	for (const path of ['../../escape', 'relative', '/boot/../../../escape']) {
		cases.push({
			label: `plugin add ENTRY_DIR=${JSON.stringify(path)}`,
			args: ['plugin', 'dist-kernel', 'add', validKv, path, '/boot/vmlinuz'],
		});
	}
	for (const [name, location] of [
		['../escape', '/var/db/repos/gentoo'],
		['gentoo', '../../escape'],
		['gentoo\nx', '/var/db/repos/gentoo'],
		['$(id)', '/x'],
	] as const) {
		cases.push({
			label: `postsync ${JSON.stringify(name)} ${JSON.stringify(location)}`,
			args: ['postsync', name, 'rsync://example.org/x', location],
		});
	}
	// Boot configuration an install reads (install.conf, entry-token, os-release): refused as typed errors, nothing
	// built or written, whatever layout the text asks for.
	const conf = (text: string) => ({ '/etc/kernel/install.conf': `${text}\n` });
	const esp = { '/efi/EFI/BOOT/.keep': '' };
	const boot: Array<[string, Record<string, string>]> = [
		['layout=../../escape', conf('layout=../../escape')],
		['layout=systemd-boot', conf('layout=systemd-boot')],
		['layout=other (built-in backend)', conf('layout=other')],
		['layout=uki without an ESP', conf('layout=uki')],
		['layout=efistub without an ESP', conf('layout=efistub')],
		['BOOT_ROOT=/../../escape', conf('layout=bls\nBOOT_ROOT=/boot/../../escape')],
		['entry-token ../../escape', { ...conf('layout=bls'), '/etc/kernel/entry-token': '../../escape\n' }],
		['os-release ID=../../escape', { ...conf('layout=uki'), ...esp, '/etc/os-release': 'ID=../../escape\n' }],
		[
			'os-release NAME=../../escape',
			{ ...conf('layout=efistub'), ...esp, '/etc/os-release': 'NAME=../../escape\nID=gentoo\n' },
		],
		['initrd_generator=$(touch x)', conf('layout=compat\ninitrd_generator="$(echo x;)y z"')],
		['MACHINE_ID=../x', conf('layout=bls\nMACHINE_ID=../x')],
	];
	for (const [label, files] of boot) cases.push({ label: `install.conf: ${label}`, args: ['install', validKv], files });
	cases.push({ label: 'clean --keep -1', args: ['clean', '--keep', '-1'] });
	cases.push({ label: 'clean --keep x', args: ['clean', '--keep', 'x'] });
	return cases;
}

export interface HostileOptions {
	bin: string;
	work: string;
	template: string;
	validKv: string;
	/** Run every n-th case only (the ci size). */
	every?: number;
	progress?: Progress;
}

const UNFINISHED_RE = /under construction|cli\.unavailable/;

export async function hostileInputs(options: HostileOptions): Promise<FaultRow[]> {
	const scratch = join(options.work, 'hostile');
	rmSync(scratch, { recursive: true, force: true });
	const root = join(scratch, 'root');
	mkdirSync(join(scratch, 'escape'), { recursive: true });
	writeFileSync(join(scratch, 'escape', 'target'), 'must stay\n');
	cloneRoot(options.template, root);
	const counter = createDracutCounter(join(options.work, 'hostile-counter'));
	const skip = /^root\/(lib|usr)\/|^root\/(lib|usr)$/;
	const byKind = new Map<string, { tried: number; survived: number; failures: string[]; unfinished: Set<string> }>();
	const every = Math.max(1, options.every ?? 1);
	for (const item of hostileCases(options.validKv).filter((_c, i) => i % every === 0)) {
		const kind = item.files
			? 'boot configuration'
			: item.label.includes('--package')
				? 'package names'
				: /KV=/.test(item.label)
					? 'kernel versions'
					: 'paths and names';
		const stats = byKind.get(kind) ?? { tried: 0, survived: 0, failures: [], unfinished: new Set<string>() };
		byKind.set(kind, stats);
		counter.reset();
		for (const [path, content] of Object.entries(item.files ?? {})) putFile(root, path, content);
		const before = fingerprint(scratch, skip);
		const result = await runDistKernel({ bin: options.bin, root, args: item.args, pathPrefix: counter.pathDir });
		const after = fingerprint(scratch, skip);
		if (item.files) cloneRoot(options.template, root);
		const text = `${result.stderr}${result.stdout}`;
		if (UNFINISHED_RE.test(text)) {
			stats.unfinished.add(item.args[0]!);
			continue;
		}
		stats.tried += 1;
		const changed = sameFingerprint(before, after);
		const problems: string[] = [];
		if (result.code === 0) problems.push('accepted (exit 0)');
		if (/internal error/i.test(text)) problems.push('internal error');
		if (counter.runs().length > 0) problems.push('dracut ran');
		if (changed.length > 0) problems.push(`wrote ${changed.slice(0, 3).join(' ')}`);
		if (problems.length === 0) stats.survived += 1;
		else stats.failures.push(`${item.label}: ${problems.join(', ')} [${outputTail(result, 1)}]`);
	}
	rmSync(scratch, { recursive: true, force: true });
	const rows: FaultRow[] = [];
	for (const [kind, stats] of byKind) {
		const notes: string[] = [];
		if (stats.unfinished.size > 0)
			notes.push(`not yet testable (command under construction): ${[...stats.unfinished].join(', ')}`);
		if (stats.failures.length > 0) notes.push(`FAILED: ${stats.failures.slice(0, 6).join(' | ')}`);
		if (notes.length === 0) notes.push('all refused, nothing written, dracut never ran');
		rows.push({
			kind: 'hostile input',
			subject: kind,
			tried: stats.tried,
			survived: stats.survived,
			notes: notes.join('; '),
		});
		options.progress?.(
			`hostile ${kind}: ${stats.survived}/${stats.tried} refused cleanly${stats.unfinished.size ? ` (${[...stats.unfinished].join(', ')} under construction)` : ''}`,
		);
	}
	return rows;
}

/** Plants /boot/<name> → a file outside the root; the run must leave the outside file untouched. */
export function plantSymlink(root: string, bootName: string, outsideTarget: string): void {
	mkdirSync(join(root, 'boot'), { recursive: true });
	symlinkSync(outsideTarget, join(root, 'boot', bootName));
}
