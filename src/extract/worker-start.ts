/**
 * Where an extraction worker thread starts (worker-entry.ts points workers here): a few lines that
 * run before the worker's code is even read. Setting up this worker's heap put V8's process-wide
 * semi-space growth factor back to its default (src/core/gc-flags.ts), and until it is set again
 * the main thread's young generation grows with whatever the main thread allocates. So the flags
 * come first, the pool's thread (blocked until then) is told, and then the worker itself loads.
 */
import { workerData } from 'node:worker_threads';
import { applyGcFlags } from '../core/gc-flags.ts';

applyGcFlags();
// The pool's thread waits on this before it allocates again (pool.ts, spawn).
const { flagsRestored } = (workerData ?? {}) as { flagsRestored?: Int32Array };
if (flagsRestored) {
  Atomics.store(flagsRestored, 0, 1);
  Atomics.notify(flagsRestored, 0);
}
await import('./worker.ts');
