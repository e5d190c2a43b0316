/**
 * Where an extraction worker thread starts. Preferably a JavaScript bundle of worker.ts made with
 * esbuild when the first worker starts (tens of ms, once per process), so the worker needs no
 * TypeScript loader: tsx's loader thread costs ~30 MB per worker (a bench run peaked 29 MB lower).
 * The bundle is named by a hash of its content, so it is never stale, and it is written under
 * node_modules/.cache so that its package imports resolve from there. When it cannot be made
 * (read-only tree, esbuild missing), workers start through the tsx bootstrap: the same code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/aiwins/', import.meta.url));

let entry: URL | null = null;

/** The URL to start extraction workers on (computed once per process). */
export function workerEntry(): URL {
  entry ??= bundledWorker() ?? BOOTSTRAP;
  return entry;
}

function bundledWorker(): URL | null {
  try {
    if (!existsSync(new URL('../../node_modules/', import.meta.url))) return null;
    // Loaded only here: esbuild's API is not needed anywhere else at run time.
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    const file = `${CACHE_DIR}worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
    if (!existsSync(file)) {
      mkdirSync(CACHE_DIR, { recursive: true });
      // Written aside and renamed, so a concurrent process never loads half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
    }
    return new URL(`file://${file}`);
  } catch (err) {
    // Not an error for the run: the tsx bootstrap starts the same worker code, at a memory cost.
    process.emitWarning(`extraction workers start through tsx (about 30 MB more each): ${(err as Error).message}`);
    return null;
  }
}
