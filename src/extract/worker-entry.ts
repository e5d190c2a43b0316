/**
 * Where an extraction worker thread starts. Built (dist/, what bin/aiwins.js runs), this module is
 * JavaScript beside the built worker-start.js, and workers start on that file with no loader. Run from the
 * TypeScript sources (vitest, the tsx scripts), workers start on dist/extract/worker-start.js too when
 * dist/ is as new as src/ (the test setup builds it), and otherwise through worker-bootstrap.mjs,
 * which registers tsx in the worker first: the same code, at tsx's cost of ~30 MB and seconds of
 * start-up per worker on a loaded machine.
 */
const BUILT = import.meta.url.endsWith('.js');
const BUILT_WORKER = new URL(BUILT ? './worker-start.js' : '../../dist/extract/worker-start.js', import.meta.url);
const TSX_BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

// From the sources only: whether dist/ is current (scripts/build.mjs knows what "current" means).
const builtIsCurrent: boolean = BUILT
  ? true
  : await import('../../scripts/build.mjs').then(
      (build) => !build.isStale(),
      () => false,
    );

/** The URL to start extraction workers on. */
export function workerEntry(): URL {
  return builtIsCurrent ? BUILT_WORKER : TSX_BOOTSTRAP;
}
