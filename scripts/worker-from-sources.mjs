// Development only: where an extraction worker starts when the pool runs from the TypeScript
// sources (vitest, the tsx scripts). The product never comes here: built, src/extract/worker-entry.ts
// starts workers on dist/extract/worker-start.js. Worker threads cannot load .ts on their own, so
// while dist/ is as new as src/ (the test setup builds it) the worker runs the built file, the same
// code without a loader; otherwise it registers tsx first, which costs memory and seconds of
// start-up per worker on a loaded machine.
import { isMainThread } from 'node:worker_threads';
import { isStale } from './build.mjs';

const BUILT_WORKER = new URL('../dist/extract/worker-start.js', import.meta.url);
const SOURCE_WORKER = new URL('../src/extract/worker-start.ts', import.meta.url);

/** The worker module this starts: the built one while dist/ is current, else the sources. */
export function workerModule() {
  return isStale() ? SOURCE_WORKER : BUILT_WORKER;
}

// Imported on the main thread (a test asking which module it would start), it starts nothing.
if (!isMainThread) {
  const module = workerModule();
  if (module === SOURCE_WORKER) (await import('tsx/esm/api')).register();
  await import(module.href);
}
