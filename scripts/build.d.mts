// Types for scripts/build.mjs (plain JavaScript so that it runs before anything is compiled).
export const ROOT: string;
export const DIST: string;
export const STAMP: string;
export function newestSourceMtime(): number;
export function isStale(): boolean;
export function build(): Promise<number>;
/** An exact rewrite of one file of a bundled package. */
export interface PackageRewrite {
  name: string;
  file: RegExp;
  replacements: [from: string, to: string][];
}
export const PACKAGE_REWRITES: PackageRewrite[];
export function rewritePackageFile(rewrite: PackageRewrite, source: string): string;
export const packageRewritesPlugin: import('esbuild').Plugin;
