// Handlebars templates are inlined as text by esbuild (build) and by the vitest transform (tests).
declare module '*.hbs' {
	const text: string;
	export default text;
}
