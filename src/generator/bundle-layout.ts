// How the program bundle is laid out (esbuild.config.mjs makes it): the entry file, and the lazily loaded chunks it
// imports from ./chunks/. The runtime package installs both side by side.
export const BUNDLE_ENTRY = 'dist-kernel.mjs';
export const BUNDLE_CHUNK_DIR = 'chunks';
