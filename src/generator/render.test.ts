import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { BUILTIN_BLOCK_HELPERS, parseTemplate, renderTemplate, TEMPLATE_HELPERS } from './render';
import { staticContextSchema } from './template-contexts';
import { ALL_TEMPLATES, STATIC_TEMPLATES } from './template-registry';

const TEMPLATES_DIR = join(import.meta.dirname, '..', '..', 'templates', 'overlay');

/** Collects every mustache that would print a value without a helper, and every block/partial we do not allow. */
function findUnsafeMustaches(source: string): string[] {
	const problems: string[] = [];
	class Checker extends Handlebars.Visitor {
		override MustacheStatement(node: hbs.AST.MustacheStatement): void {
			const name =
				node.path.type === 'PathExpression' ? (node.path as hbs.AST.PathExpression).original : node.path.type;
			if (node.params.length === 0 || !Object.hasOwn(TEMPLATE_HELPERS, name)) {
				problems.push(`line ${node.loc.start.line}: {{${name}}} prints a value without a quoting helper`);
			}
			super.MustacheStatement(node);
		}
		override BlockStatement(node: hbs.AST.BlockStatement): void {
			const name = (node.path as hbs.AST.PathExpression).original;
			if (!(BUILTIN_BLOCK_HELPERS as readonly string[]).includes(name))
				problems.push(`line ${node.loc.start.line}: block {{#${name}}} is not allowed`);
			super.BlockStatement(node);
		}
		override PartialStatement(node: hbs.AST.PartialStatement): void {
			problems.push(`line ${node.loc.start.line}: partials are not used`);
		}
	}
	new Checker().accept(parseTemplate(source));
	return problems;
}

function templateFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile() && entry.name.endsWith('.hbs'))
		.map((entry) => relative(TEMPLATES_DIR, join(entry.parentPath, entry.name)))
		.sort();
}

describe('templates', () => {
	it('registers every file under templates/overlay exactly once', () => {
		expect(ALL_TEMPLATES.map((t) => t.name).sort()).toEqual(templateFiles(TEMPLATES_DIR));
	});

	it.each(ALL_TEMPLATES.map((t) => [t.name, t.source] as const))(
		'%s prints values only through helpers',
		(_name, source) => {
			expect(findUnsafeMustaches(source)).toEqual([]);
		},
	);

	it('the checker catches bare, triple-stash and unknown-helper mustaches', () => {
		expect(findUnsafeMustaches('a={{x}}')).toHaveLength(1);
		expect(findUnsafeMustaches('a={{{x}}}')).toHaveLength(1);
		expect(findUnsafeMustaches('a={{lookup x y}}')).toHaveLength(1);
		expect(findUnsafeMustaches('{{#custom}}x{{/custom}}')).toHaveLength(1);
		expect(findUnsafeMustaches("a={{sh x}} b={{tok y 'name'}}")).toEqual([]);
	});

	it.each(STATIC_TEMPLATES.map((t) => [t.name, t] as const))(
		'%s renders with the common runtime context',
		(_name, template) => {
			const text = renderTemplate(template, {
				runtime: { package: 'sys-kernel/dist-kernel-runtime', bin: 'dist-kernel', version: '0.1.0' },
			});
			expect(text.endsWith('\n')).toBe(true);
			expect(text.startsWith('#')).toBe(true);
		},
	);
});

describe('renderTemplate', () => {
	const template = (source: string) => ({ name: 'test.hbs', source, schema: staticContextSchema.loose() });

	it('quotes values through sh and validates tokens', () => {
		const runtime = { package: 'sys-kernel/x', bin: 'x', version: '1' };
		expect(renderTemplate(template("{{sh runtime.bin}} {{tok runtime.version 'version'}}"), { runtime })).toBe(
			"'x' 1\n",
		);
	});

	it('refuses a missing value passed to a helper', () => {
		const runtime = { package: 'sys-kernel/x', bin: 'x', version: '1' };
		expect(() => renderTemplate(template('{{sh runtime.nothing}}'), { runtime })).toThrow(
			/cannot render template: test.hbs/,
		);
	});

	it('does not compile lookup, log, partials or unknown helpers', () => {
		const runtime = { package: 'sys-kernel/x', bin: 'x', version: '1' };
		for (const source of ['{{lookup runtime "bin"}}', '{{log runtime.bin}}', '{{> part}}', '{{nothing runtime.bin}}']) {
			expect(() => renderTemplate(template(source), { runtime }), source).toThrow();
		}
	});

	it('refuses a context that does not match the schema', () => {
		expect(() => renderTemplate(template('x'), { runtime: { package: 'x', bin: 'x', version: '1' } } as never)).toThrow(
			/does not match its schema/,
		);
	});

	it('refuses a hostile token with an error naming the template', () => {
		const runtime = { package: 'sys-kernel/x', bin: 'x', version: '1' };
		const t = { name: 'hostile.hbs', source: "{{tok v 'version'}}", schema: staticContextSchema.loose() };
		expect(() => renderTemplate(t, { runtime, v: '6.1$(reboot)' } as never)).toThrow(
			/cannot render template: hostile.hbs/,
		);
	});
});
