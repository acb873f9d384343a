// One zod schema per template context: what a template may read, checked before every render.
import * as z from 'zod';
import { TOKEN_KINDS, type TokenKind } from './template-helpers';

function token(kind: TokenKind) {
	return z.string().refine((v) => TOKEN_KINDS[kind](v), `expected a ${kind}`);
}

/** Every template may name the runtime package, its command and its version. */
export const runtimeInfoSchema = z.strictObject({
	/** sys-kernel/dist-kernel-runtime */
	package: token('package'),
	/** The command eclasses call: dist-kernel */
	bin: token('name'),
	/** package.json version, a PMS version. */
	version: token('version'),
});
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;

/** Context of the templates other parts own (eclasses, kernel-install plugins, post-sync hook, launcher). */
export const staticContextSchema = z.strictObject({ runtime: runtimeInfoSchema });
export type StaticContext = z.infer<typeof staticContextSchema>;

const header = {
	runtime: runtimeInfoSchema,
	/** Copyright year in headers: fixed, so output does not depend on the clock. */
	year: token('number'),
};

export const repoNameContextSchema = z.strictObject({ repoName: token('name') });

export const categoriesContextSchema = z.strictObject({ categories: z.array(token('name')).min(1) });

export const layoutConfContextSchema = z.strictObject({
	repoName: token('name'),
	masters: z.array(token('name')).min(1),
	/** EAPIs Portage must refuse in this repository (all but 8). */
	eapisBanned: z.array(token('number')),
});

export const virtualEbuildContextSchema = z.strictObject({
	...header,
	version: token('version'),
	keywords: z.array(token('keyword')),
	/** Repositories the versions came from, for the header comment. */
	sources: z.array(token('name')),
	providers: z
		.array(
			z.strictObject({
				package: token('package'),
				/** Gentoo's rule: vanilla-kernel has no patch releases, so `_pN` is stripped from PV for it. */
				stripPatch: z.boolean(),
			}),
		)
		.min(1),
});
export type VirtualEbuildContext = z.infer<typeof virtualEbuildContextSchema>;

export const runtimeEbuildContextSchema = z.strictObject({
	...header,
	keywords: z.array(token('keyword')).min(1),
	nodeAtom: token('atom'),
	/** Absolute install paths and file names in files/. */
	bundleFile: token('name'),
	bundleChunkDir: token('name'),
	bundleDir: token('path'),
	launcherFile: token('name'),
	configFile: token('name'),
	configDir: token('path'),
	postsyncFile: token('name'),
	postsyncDir: token('path'),
	pluginDir: token('path'),
	plugins: z.array(token('name')),
});
export type RuntimeEbuildContext = z.infer<typeof runtimeEbuildContextSchema>;

export const metadataXmlContextSchema = z.strictObject({
	maintainerEmail: z.string().min(3),
	maintainerName: z.string(),
	description: z.string().min(1),
});
export type MetadataXmlContext = z.infer<typeof metadataXmlContextSchema>;
