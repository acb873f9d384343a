// Types of esbuild.config.mjs for the TypeScript that imports it (test/global-setup.ts, bench/lib/bundle.ts).
export declare const ENTRY_FILE: string;
export declare const CHUNK_DIR: string;
export declare function bundleProgram(outdir: string): Promise<Map<string, Buffer>>;
export declare function writeProgram(outdir: string): Promise<string>;
