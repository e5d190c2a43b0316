/**
 * Where an extraction worker thread starts. Built (dist/, what bin/aiwins.js runs) this module is
 * JavaScript beside the built worker.js, and the worker starts on that file with no loader. Run from
 * the TypeScript sources (vitest, the tsx scripts) it starts through worker-bootstrap.mjs, which
 * registers tsx in the worker first: the same code, at tsx's cost of ~30 MB and ~0.3 s per worker.
 */
const BUILT = import.meta.url.endsWith('.js');

/** The URL to start extraction workers on. */
export function workerEntry(): URL {
  return BUILT ? new URL('./worker.js', import.meta.url) : new URL('./worker-bootstrap.mjs', import.meta.url);
}
