/**
 * Where an extraction worker thread starts. Built (dist/, what bin/aiwins.js runs), this module is
 * JavaScript beside the built worker-start.js, and workers start on that file with no loader. Run
 * from the TypeScript sources (vitest, the tsx scripts), workers start on the development script
 * scripts/worker-from-sources.mjs, which picks the built worker or the sources through tsx: how
 * dist/ is kept current is the build's business, outside the product's imports.
 */
const BUILT = import.meta.url.endsWith('.js');
const ENTRY = new URL(BUILT ? './worker-start.js' : '../../scripts/worker-from-sources.mjs', import.meta.url);

/** The URL to start extraction workers on. */
export function workerEntry(): URL {
  return ENTRY;
}
