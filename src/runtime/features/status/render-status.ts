// Human text for `dist-kernel status` (the JSON form is the report itself).

import { describeSecureBoot } from '../../images/secureboot/secureboot-status';
import type { PackageOrigin } from '../../portage/binhost/package-origin';
import type { KernelStatus, StatusReport } from './collect-status';

function describeVerification(v: KernelStatus['verification']): string {
	if (v.state === 'not verified') return 'not verified';
	const when = v.at ? ` ${v.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : '';
	const secure = v.secureBootCert ? `, Secure Boot with ${v.secureBootCert}` : '';
	if (v.state === 'verified') return `verified${when}${v.accel ? ` (QEMU ${v.accel}${secure})` : ''}`;
	if (v.state === 'unavailable')
		return `not verified: this machine could not run the guest${when}${v.reason ? `: ${v.reason}` : ''}`;
	return `FAILED${v.outcome ? ` (${v.outcome})` : ''}${when}${v.reason ? `: ${v.reason}` : ''}${v.log ? ` (log: ${v.log})` : ''}`;
}

function describeOrigin(origin: PackageOrigin): string {
	if (origin.origin === 'binhost')
		return origin.binhost ? `binary from binhost ${origin.binhost}` : 'binary from a binhost';
	if (origin.origin === 'binpkg') return 'binary package';
	return 'built here';
}

export function renderStatus(report: StatusReport): string {
	const lines: string[] = [];
	lines.push(
		`Running kernel: ${report.running.kv}${report.running.source === 'uname' ? '' : ` (from ${report.running.source})`}`,
	);
	if (report.virtualVersion) lines.push(`virtual/dist-kernel: ${report.virtualVersion}`);
	lines.push('');
	lines.push(report.kernels.length === 0 ? 'Installed kernels: none found' : 'Installed kernels:');
	for (const k of report.kernels) {
		const marks = [
			k.newest ? 'newest' : '',
			k.running ? 'running' : '',
			k.pending ? `pending ${k.pending}` : '',
		].filter(Boolean);
		lines.push(
			`  ${k.kv}${k.cpv ? `  (${k.cpv}${k.origin && k.origin.origin !== 'source' ? `, ${describeOrigin(k.origin)}` : ''})` : '  (not from a package)'}${marks.length ? `  [${marks.join(', ')}]` : ''}`,
		);
		const boot = [
			...k.boot.ukis.map((p) => `UKI ${p}`),
			...k.boot.kernels.map((p) => `kernel ${p}`),
			...k.boot.initrds.map((p) => `initramfs ${p}${k.boot.emptyInitrds.includes(p) ? ' (empty placeholder)' : ''}`),
		];
		if (boot.length === 0) lines.push('      not installed in /boot');
		for (const b of boot) lines.push(`      ${b}`);
		lines.push(`      boot verification: ${describeVerification(k.verification)}`);
	}
	if (report.rescue) {
		const r = report.rescue;
		lines.push(
			`Rescue image: built from ${r.kv} (layout=${r.layout})${r.complete ? '' : '  [INCOMPLETE: files missing; the next install of the newest kernel rebuilds it]'}`,
		);
		for (const f of r.files) lines.push(`      ${f}`);
	}
	lines.push('');
	if (report.defaultEntries.length === 0) lines.push('Default boot entry: not detectable');
	for (const e of report.defaultEntries) lines.push(`Default boot entry: ${e.value}  (${e.source})`);
	if (report.secureBoot) {
		lines.push('');
		lines.push(...describeSecureBoot(report.secureBoot));
	}
	lines.push('');
	lines.push(report.modules.length === 0 ? 'Module packages: none' : 'Module packages:');
	for (const m of report.modules) {
		const flags = [m.distKernel ? 'dist-kernel' : '-dist-kernel', m.initramfs ? 'initramfs' : '']
			.filter(Boolean)
			.join(' ');
		lines.push(
			`  ${m.cpv}  built for ${m.builtFor ?? 'unknown kernel'}  [${flags}]${m.origin.origin === 'source' ? '' : `  ${describeOrigin(m.origin)}`}`,
		);
	}
	if (report.stale.length > 0) {
		lines.push('');
		lines.push('Stale module packages:');
		for (const s of report.stale) {
			lines.push(`  ${s.cpv}`);
			for (const r of s.reasons) lines.push(`      ${r}`);
		}
		const manual = report.stale.filter((s) => !s.distKernel);
		if (manual.length > 0) lines.push('  fix: dist-kernel modules rebuild   (rebuilds the USE=-dist-kernel ones)');
		if (manual.length < report.stale.length)
			lines.push('  fix: emerge --update --deep @world   (Portage rebuilds the USE=dist-kernel ones)');
	}
	if (report.pending.length > 0) {
		lines.push('');
		for (const p of report.pending) {
			const waiting = p.waitingFor.length > 0 ? `, waiting for ${p.waitingFor.join(', ')}` : '';
			lines.push(
				`Pending initramfs work for ${p.kv} (${p.kind}) since ${p.since}, asked by ${p.requestedBy.join(', ') || 'unknown'}${waiting}`,
			);
		}
	}
	if (report.broken.length > 0) {
		lines.push('');
		lines.push('Broken installed-package entries (skipped):');
		for (const b of report.broken) lines.push(`  ${b.cpv}: ${b.error}`);
	}
	return `${lines.join('\n')}\n`;
}
