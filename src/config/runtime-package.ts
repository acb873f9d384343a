// The package that installs the runtime, and the program it installs: named once, for the generator (the overlay's
// runtime ebuild), setup (what it tells the admin to emerge) and the CLI.
export const RUNTIME_PACKAGE = 'sys-kernel/dist-kernel-runtime';
export const RUNTIME_BIN = 'dist-kernel';
