// Portage's VDB CONTENTS file: one entry per line, written by vartree's dblink (see `_contents_re` in
// gentoo/portage lib/portage/dbapi/vartree.py). Paths may contain spaces, so fields are taken from the right:
//   dir PATH | dev PATH | fif PATH
//   obj PATH MD5 MTIME
//   sym PATH -> TARGET MTIME      (PATH is everything before the last " -> ")
// Pure: text in, entries out.
import { DistKernelError } from '../lib/errors';
import { printable } from '../lib/validate';

export type ContentsEntry =
	| { type: 'dir' | 'dev' | 'fif'; path: string }
	| { type: 'obj'; path: string; md5: string; mtime: number }
	| { type: 'sym'; path: string; target: string; mtime: number };

const MTIME_RE = /^[0-9]+$/;
// Very old Portage wrote the stat tuple instead of an mtime for symlinks (bug 351814); field 9 is the mtime.
const OLD_SYM_RE = / \(\d+, \d+L, \d+L, \d+, \d+, \d+, \d+L, \d+, (\d+), \d+\)$/;

function bad(source: string, line: number, text: string, why: string): DistKernelError {
	return new DistKernelError('vdb.parse', `unrecognized CONTENTS entry: ${source}:${line}`, {
		details: `${why}: \`${printable(text)}\``,
	});
}

/** Parse one line (without its newline). `source` and `lineNo` only label the error. */
export function parseContentsLine(text: string, source = 'CONTENTS', lineNo = 1): ContentsEntry {
	if (text.includes('\0')) throw bad(source, lineNo, text, 'null byte');
	const space = text.indexOf(' ');
	const type = space < 0 ? text : text.slice(0, space);
	const rest = space < 0 ? '' : text.slice(space + 1);
	switch (type) {
		case 'dir':
		case 'dev':
		case 'fif': {
			if (rest === '') throw bad(source, lineNo, text, 'missing path');
			return { type, path: rest };
		}
		case 'obj': {
			const mtimeAt = rest.lastIndexOf(' ');
			const mtime = rest.slice(mtimeAt + 1);
			const head = rest.slice(0, Math.max(mtimeAt, 0));
			const md5At = head.lastIndexOf(' ');
			const md5 = head.slice(md5At + 1);
			const path = head.slice(0, Math.max(md5At, 0));
			if (mtimeAt < 0 || md5At <= 0 || !MTIME_RE.test(mtime) || md5 === '' || path === '') {
				throw bad(source, lineNo, text, 'expected `obj PATH MD5 MTIME`');
			}
			return { type: 'obj', path, md5, mtime: Number(mtime) };
		}
		case 'sym': {
			const arrow = rest.lastIndexOf(' -> ');
			if (arrow <= 0) throw bad(source, lineNo, text, 'expected `sym PATH -> TARGET MTIME`');
			const path = rest.slice(0, arrow);
			const tail = rest.slice(arrow + 4);
			const old = OLD_SYM_RE.exec(tail);
			if (old) {
				const target = tail.slice(0, old.index);
				if (target === '') throw bad(source, lineNo, text, 'empty symlink target');
				return { type: 'sym', path, target, mtime: Number(old[1]) };
			}
			const mtimeAt = tail.lastIndexOf(' ');
			const mtime = tail.slice(mtimeAt + 1);
			const target = tail.slice(0, Math.max(mtimeAt, 0));
			if (mtimeAt <= 0 || !MTIME_RE.test(mtime) || target === '') {
				throw bad(source, lineNo, text, 'expected `sym PATH -> TARGET MTIME`');
			}
			return { type: 'sym', path, target, mtime: Number(mtime) };
		}
		default:
			throw bad(source, lineNo, text, `unknown entry type \`${printable(type)}\``);
	}
}

/** Parse a whole CONTENTS file; the first malformed line throws 'vdb.parse' naming its line number. */
export function parseContents(text: string, source = 'CONTENTS'): ContentsEntry[] {
	const entries: ContentsEntry[] = [];
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!;
		if (line === '' && i === lines.length - 1) break;
		if (line === '') throw bad(source, i + 1, line, 'empty line');
		entries.push(parseContentsLine(line, source, i + 1));
	}
	return entries;
}
