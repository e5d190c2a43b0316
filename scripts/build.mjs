/**
 * `npm run build` (also run by `npm ci` through `prepare`): compiles every src/**\/*.ts(x) but the tests
 * into dist/, one JavaScript file per source file at the same depth, so a path a module resolves
 * from its own import.meta.url (../../prompts/, ./testdata/) means the same file in dist/ as in src/.
 * Relative `.ts` and `.tsx` imports become `.js`; packages stay imports of node_modules. No type checking here:
 * that is `npm run typecheck`'s job, and esbuild does all of src/ and the worker bundle in about 1.4 s.
 *
 * Plain JavaScript, so it runs on a fresh clone before anything is compiled. Importable too:
 * bin/aiwins.js calls build() when src/ has changed since the last build.
 */
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
export const DIST = join(ROOT, 'dist');
/** Written last: its mtime is when dist/ was complete. */
export const STAMP = join(DIST, '.built');

/**
 * Packages compiled into the modules that import them instead of loaded from node_modules at run
 * time, because resolving and loading their many small files one by one costs more than compiling
 * one file: feedsmith is ~140 ES modules (import 0.40 s of CPU as a package, 0.21 s as one bundle,
 * at every `aiwins parse`); undici (the fetcher's, ~110 CommonJS files) and openai (the drafter's)
 * are loaded by every run (undici 0.38 s -> 0.28 s, openai 0.22 s -> 0.05 s, on a loaded machine).
 * Only a package that one source module imports can be listed: each importer gets its own copy,
 * and two copies would have two sets of classes (an `instanceof` across them fails).
 */
const BUNDLED = new Set(['feedsmith', 'undici', 'openai', 'commander']);

/** What every output of the build is: ES modules for the oldest Node we support. */
const OUTPUT = {
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Bundled CommonJS packages require() Node's built-ins; an ES module has no require of its own.
  banner: { js: "import { createRequire as __bundledCreateRequire } from 'node:module'; const require = __bundledCreateRequire(import.meta.url);" },
};

const isSource = (name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts');

/** Run-time assets: static files served by the desk (test data stays in src/). */
const isAsset = (name) => name.endsWith('.css');

/** 'a/b' -> 'a', '@s/a/b' -> '@s/a'. */
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Every file under dir (recursively) that pick() accepts. */
function walk(dir, pick, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, pick, out);
    else if (pick(entry.name)) out.push(path);
  }
  return out;
}

/** The newest modification time (ms) of the sources dist/ is built from. */
export function newestSourceMtime() {
  let newest = 0;
  for (const file of walk(SRC, (n) => isSource(n) || isAsset(n))) newest = Math.max(newest, statSync(file).mtimeMs);
  return Math.max(newest, statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

/** True when dist/ is missing or older than a source file (a file deleted from src/ is not noticed). */
export function isStale() {
  try {
    return statSync(STAMP).mtimeMs < newestSourceMtime();
  } catch {
    return true;
  }
}

/** Where an extraction worker starts (src/extract/worker-entry.ts points workers at its built file). */
const WORKER_ENTRY = join(SRC, 'extract', 'worker.ts');

/**
 * Exact rewrites of two files of packages bundled into the extraction worker, each for CPU, neither
 * changing what the code computes. Each replacement must match exactly once: when a package's file
 * no longer reads as expected (an upgrade), the build fails instead of shipping it unpatched or
 * half patched. Measured on the 130 extraction-dev pages and with `npm run bench:pipeline`, side by
 * side in one session.
 */
export const PACKAGE_REWRITES = [
  {
    // Every node linkedom makes (each element, text node and attribute) got an empty listener Map in
    // EventTarget's constructor, kept in a module-wide WeakMap. Extraction never listens for events,
    // yet those ephemeron entries were most of the garbage a page's DOM leaves. Made on the first
    // addEventListener instead (as jsdom and happy-dom do upstream; linkedom 0.18 does not), a page's
    // DOM build took 35% less CPU, and a run 87.4 -> 77.4 CPU ms per article.
    name: "linkedom's esm/interface/event-target.js",
    file: /[\\/]linkedom[\\/]esm[\\/]interface[\\/]event-target\.js$/,
    replacements: [
      ['  constructor() {\n    wm.set(this, new Map);\n  }\n', ''],
      [
        '  addEventListener(type, listener, options) {\n    const map = wm.get(this);\n',
        '  addEventListener(type, listener, options) {\n    let map = wm.get(this);\n    if (!map) wm.set(this, (map = new Map));\n',
      ],
      [
        '  removeEventListener(type, listener) {\n    const map = wm.get(this);\n    if (map.has(type)) {\n',
        '  removeEventListener(type, listener) {\n    const map = wm.get(this);\n    if (map && map.has(type)) {\n',
      ],
    ],
  },
  {
    // Readability asks every element it walks whether it is the byline, and computed the element's
    // whole text before the cheap tests (rel, itemprop, class and id) that nearly every element
    // fails: the text of <body>, of each wrapper, and so on down, 3.5% of a worker's CPU. The text is
    // now read only for an element that passes those tests.
    name: "@mozilla/readability's Readability.js",
    file: /[\\/]@mozilla[\\/]readability[\\/]Readability\.js$/,
    replacements: [
      [
        `    var bylineLength = node.textContent.trim().length;

    return (
      (rel === "author" ||
        (itemprop && itemprop.includes("author")) ||
        this.REGEXPS.byline.test(matchString)) &&
      !!bylineLength &&
      bylineLength < 100
    );`,
        `    if (
      !(
        rel === "author" ||
        (itemprop && itemprop.includes("author")) ||
        this.REGEXPS.byline.test(matchString)
      )
    ) {
      return false;
    }
    var bylineLength = node.textContent.trim().length;
    return !!bylineLength && bylineLength < 100;`,
      ],
    ],
  },
];

/** `source` (the text of `rewrite`'s file) with its replacements made; throws unless each matches exactly once. */
export function rewritePackageFile(rewrite, source) {
  let out = source;
  for (const [from, to] of rewrite.replacements) {
    if (out.split(from).length !== 2) {
      throw new Error(`${rewrite.name} is not the text scripts/build.mjs rewrites (a new version?): review PACKAGE_REWRITES against it`);
    }
    out = out.replace(from, to);
  }
  return out;
}

export const packageRewritesPlugin = {
  name: 'package-rewrites',
  setup(b) {
    for (const rewrite of PACKAGE_REWRITES) {
      b.onLoad({ filter: rewrite.file }, (args) => ({ contents: rewritePackageFile(rewrite, readFileSync(args.path, 'utf8')), loader: 'js' }));
    }
  },
};

/**
 * Replaces the extraction worker's built file with one bundle of it and everything it imports, our
 * modules and the DOM packages alike. Every worker loads all of them before its first page, and
 * resolving, reading and compiling ~150 small files was most of that: 0.51 s against 0.35 s from
 * one file, measured to the first page on an idle machine (Node 20, no compile cache). Only workers
 * load this file, so the copies of our modules in it are never mixed with the main thread's.
 */
async function buildWorkerBundle(esbuild, outdir) {
  await esbuild.build({
    entryPoints: [WORKER_ENTRY],
    outfile: join(outdir, relative(SRC, WORKER_ENTRY).replace(/\.ts$/, '.js')),
    ...OUTPUT,
    bundle: true,
    allowOverwrite: true,
    plugins: [packageRewritesPlugin],
  });
}

/**
 * Builds dist/ from src/. Written to a fresh folder and swapped in, so a process starting meanwhile
 * sees the old dist/ or the new one, never half of one.
 */
export async function build() {
  const esbuild = await import('esbuild');
  const entryPoints = walk(SRC, isSource);
  const tmp = `${DIST}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: tmp,
    outbase: SRC,
    ...OUTPUT,
    // The desk's views and the newsletter renderer are hono JSX (as tsconfig.json says for tsc).
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    // One output file per source file: every import stays an import, with `.ts` made `.js`.
    bundle: true,
    plugins: [
      {
        name: 'one-file-per-module',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            // Inside a bundled package: esbuild resolves and inlines it (node: builtins stay imports).
            if (!args.importer.startsWith(SRC)) return args.path.startsWith('node:') ? { path: args.path, external: true } : undefined;
            if (args.path.startsWith('.')) return { path: args.path.replace(/\.tsx?$/, '.js'), external: true };
            if (BUNDLED.has(packageName(args.path))) return undefined;
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  await buildWorkerBundle(esbuild, tmp);
  // Files the modules read at run time from beside themselves (the desk's stylesheet).
  for (const file of walk(SRC, isAsset)) cpSync(file, join(tmp, relative(SRC, file)));
  writeFileSync(join(tmp, '.built'), `${new Date().toISOString()}\n`);
  const old = `${DIST}.${process.pid}.old`;
  try {
    renameSync(DIST, old);
  } catch {
    /* no dist/ yet */
  }
  try {
    renameSync(tmp, DIST);
  } catch (err) {
    // Another process swapped in its build of the same sources between the two renames: keep it.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return entryPoints.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const count = await build();
  console.log(`built ${count} modules into ${relative(process.cwd(), DIST) || '.'}/ in ${Math.round(performance.now() - started)} ms`);
}
