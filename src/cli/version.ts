// The program's version: shown by --version and written into the generated overlay's runtime package.
export const VERSION = '0.1.0';
