// Template rendering: one isolated Handlebars environment; every value goes through a typed helper.
import Handlebars from 'handlebars';
import type * as z from 'zod';
import { DistKernelError, InternalError } from '../lib/errors';
import { shellArray, shellQuote, validToken, validTokens, xmlText } from './template-helpers';

/** Helpers templates may call. `{{sh x}}` bash word, `{{sharr xs}}` array body, `{{tok x 'kind'}}`, `{{toks xs 'kind'}}`, `{{xml x}}`. */
export const TEMPLATE_HELPERS = {
	sh: shellQuote,
	sharr: shellArray,
	tok: validToken,
	toks: validTokens,
	xml: xmlText,
} as const;

/** Built-in block helpers that stay allowed under knownHelpersOnly. */
export const BUILTIN_BLOCK_HELPERS = ['if', 'unless', 'each', 'with'] as const;

const engine = Handlebars.create();
engine.unregisterHelper('lookup');
engine.unregisterHelper('log');
for (const [name, fn] of Object.entries(TEMPLATE_HELPERS)) {
	// Handlebars passes its options object last; our helpers take only the positional arguments before it.
	engine.registerHelper(name, (...args: unknown[]) => (fn as (...a: unknown[]) => string)(...args.slice(0, -1)));
}

export const COMPILE_OPTIONS = {
	noEscape: true,
	strict: true,
	knownHelpersOnly: true,
	// `lookup` and `log` would print values past our helpers: switched off, so such a template does not compile.
	knownHelpers: {
		...Object.fromEntries(Object.keys(TEMPLATE_HELPERS).map((name) => [name, true])),
		lookup: false,
		log: false,
	},
} as const;

/** A template: its path under templates/overlay (for messages and tests), its text, the schema of its context. */
export interface TemplateSource<S extends z.ZodType = z.ZodType> {
	name: string;
	source: string;
	schema: S;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

function compile(template: TemplateSource): HandlebarsTemplateDelegate {
	let fn = compiled.get(template.source);
	if (!fn) {
		fn = engine.compile(template.source, COMPILE_OPTIONS);
		compiled.set(template.source, fn);
	}
	return fn;
}

/** Parse the template text (Handlebars AST) without rendering; used by the template tests. */
export function parseTemplate(source: string): hbs.AST.Program {
	return engine.parse(source);
}

/** Strict mode does not check helper arguments (only a mustache's own path): the zod schema and the helpers do. */
/** Validates `context` against the template's schema, renders, and makes sure the text ends with one newline. */
export function renderTemplate<S extends z.ZodType>(template: TemplateSource<S>, context: z.input<S>): string {
	const parsed = template.schema.safeParse(context);
	if (!parsed.success) {
		throw new InternalError(
			`context for template ${template.name} does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
		);
	}
	let text: string;
	try {
		text = compile(template)(parsed.data);
	} catch (error) {
		if (error instanceof DistKernelError) {
			throw new DistKernelError(error.code, `cannot render template: ${template.name}`, {
				details: error.message,
				cause: error,
			});
		}
		throw new InternalError(`template ${template.name} failed: ${(error as Error).message}`, { cause: error });
	}
	return `${text.replace(/\n*$/, '')}\n`;
}
