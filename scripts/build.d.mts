// Types for scripts/build.mjs (plain JavaScript so that it runs before anything is compiled).
export const ROOT: string;
export const DIST: string;
export const STAMP: string;
export function newestSourceMtime(): number;
export function isStale(): boolean;
export function build(): Promise<number>;
export function lazyListenerMaps(source: string): string;
export const lazyListenerMapsPlugin: import('esbuild').Plugin;
