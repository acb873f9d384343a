// Where the running program lives: the bundle to ship in the runtime package, and whether it runs from a checkout.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { BUNDLE_CHUNK_DIR, BUNDLE_ENTRY } from './bundle-layout';

/** This module's own file: a chunk of the bundle when bundled, src/generator/locate-program.ts from source. */
const SELF = fileURLToPath(import.meta.url);

/** A dist-kernel source checkout: where its package.json says the sample tree and the committed overlay are. */
export interface SourceCheckout {
	top: string;
	/** The sample system `generate` reads in a checkout (package.json `distKernelCheckout.sampleRoot`). */
	sampleRoot: string;
	/** The committed overlay it writes (`distKernelCheckout.overlay`). */
	overlay: string;
}

export interface ProgramLocation {
	/** The bundle's entry file to copy into the overlay (its chunks/ directory beside it goes too). */
	bundle: string;
	/** The source checkout when the running bundle is that checkout's generated/dist-kernel.mjs. */
	checkout: SourceCheckout | undefined;
}

const checkoutPackage = z.object({
	name: z.literal('dist-kernel'),
	distKernelCheckout: z.object({ sampleRoot: z.string(), overlay: z.string() }),
});

function sourceCheckout(top: string): SourceCheckout | undefined {
	try {
		const pkg = checkoutPackage.safeParse(JSON.parse(readFileSync(join(top, 'package.json'), 'utf8')));
		// overlay/ itself is not required: a checkout without it must still never fall back to writing under /.
		if (!pkg.success || !statSync(join(top, 'templates', 'overlay')).isDirectory()) return undefined;
		const { sampleRoot, overlay } = pkg.data.distKernelCheckout;
		return { top, sampleRoot: resolve(top, sampleRoot), overlay: resolve(top, overlay) };
	} catch {
		return undefined;
	}
}

export function locateProgram(self: string = SELF): ProgramLocation {
	if (self.endsWith('.mjs')) {
		const dir = basename(dirname(self)) === BUNDLE_CHUNK_DIR ? dirname(dirname(self)) : dirname(self);
		const top = dirname(dir);
		return { bundle: join(dir, BUNDLE_ENTRY), checkout: sourceCheckout(top) };
	}
	// From source (tests, tsx): the checkout's committed bundle, two levels above src/generator.
	const top = resolve(dirname(self), '..', '..');
	return { bundle: join(top, 'generated', BUNDLE_ENTRY), checkout: undefined };
}
