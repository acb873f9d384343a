// Where the running program lives: the bundle to ship in the runtime package, and whether it runs from a checkout.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_CHUNK_DIR, BUNDLE_ENTRY } from './bundle-layout';

/** This module's own file: a chunk of the bundle when bundled, src/generator/locate-program.ts from source. */
const SELF = fileURLToPath(import.meta.url);

export interface ProgramLocation {
	/** The bundle's entry file to copy into the overlay (its chunks/ directory beside it goes too). */
	bundle: string;
	/** Top of a dist-kernel source checkout when the running bundle is that checkout's generated/dist-kernel.mjs. */
	checkout: string | undefined;
}

function isSourceCheckout(dir: string): boolean {
	try {
		const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
		// overlay/ itself is not required: a checkout without it must still never fall back to writing under /.
		return pkg.name === 'dist-kernel' && statSync(join(dir, 'templates', 'overlay')).isDirectory();
	} catch {
		return false;
	}
}

export function locateProgram(self: string = SELF): ProgramLocation {
	if (self.endsWith('.mjs')) {
		const dir = basename(dirname(self)) === BUNDLE_CHUNK_DIR ? dirname(dirname(self)) : dirname(self);
		const top = dirname(dir);
		return { bundle: join(dir, BUNDLE_ENTRY), checkout: isSourceCheckout(top) ? top : undefined };
	}
	// From source (tests, tsx): the checkout's committed bundle, two levels above src/generator.
	const top = resolve(dirname(self), '..', '..');
	return { bundle: join(top, 'generated', BUNDLE_ENTRY), checkout: undefined };
}
