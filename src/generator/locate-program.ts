// Where the running program lives: the bundle to ship in the runtime package, and whether it runs from a checkout.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module's own file: the bundle itself when bundled, src/generator/locate-program.ts from source. */
const SELF = fileURLToPath(import.meta.url);

export interface ProgramLocation {
	/** The bundle file to copy into the overlay. */
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
		const top = dirname(dirname(self));
		return { bundle: self, checkout: isSourceCheckout(top) ? top : undefined };
	}
	// From source (tests, tsx): the checkout's committed bundle, two levels above src/generator.
	const top = resolve(dirname(self), '..', '..');
	return { bundle: join(top, 'generated', 'dist-kernel.mjs'), checkout: undefined };
}
