import { describe, expect, it } from 'vitest';
import { parseDeclareOutput, scalarOf } from './bash-declare';

describe('parseDeclareOutput', () => {
	it('reads double-quoted scalars with bash escapes', () => {
		const vars = parseDeclareOutput(
			'declare -- uefi="yes"\ndeclare -x kernel_cmdline="root=/dev/sda1 \\"q\\" \\$x \\`y\\` \\\\"\n',
		);
		expect(vars.get('uefi')).toBe('yes');
		expect(vars.get('kernel_cmdline')).toBe('root=/dev/sda1 "q" $x `y` \\');
	});

	it('reads $-quoted ANSI-C strings and multi-line values', () => {
		const vars = parseDeclareOutput('declare -- a=$\'x\\ny\\tz\\001\\x41\'\ndeclare -- b="one\ntwo"\n');
		expect(vars.get('a')).toBe('x\ny\tz\x01A');
		expect(vars.get('b')).toBe('one\ntwo');
	});

	it('reads indexed and associative arrays', () => {
		const vars = parseDeclareOutput('declare -a y=([0]="1" [2]="two words" [1]=$\'\\001\')\ndeclare -A z=([k]="v" )\n');
		expect(vars.get('y')).toEqual(['1', '\x01', 'two words']);
		expect(vars.get('z')).toEqual({ k: 'v' });
		expect(scalarOf(vars.get('y'))).toBe('1 \x01 two words');
	});

	it('omits variables declared without a value', () => {
		expect(parseDeclareOutput('declare -- x\ndeclare -i n="3"\n')).toEqual(new Map([['n', '3']]));
	});

	it('rejects text that is not declare output', () => {
		expect(() => parseDeclareOutput('uefi=yes\n')).toThrow(/cannot read bash variable output/);
	});
});
