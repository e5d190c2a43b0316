/**
 * The V8 flags aiwins runs with. V8's defaults suit a big server, not a cron job: young generations
 * grow to 32 MB of mostly garbage and the old generation may double before a full GC. Here
 * semi-spaces stay at their start size and the old generation grows by 10% between GCs.
 * --max-semi-space-size cannot be set after start, so the growth factor stands in for it.
 *
 * Setting up any isolate's heap (each worker thread's) puts the growth factor, a process-wide flag,
 * back to V8's default of 2, and the main thread's young generation then grew to 17 MB in
 * bench:pipeline while the extraction worker started. So each worker applies these flags again
 * as its very first step (src/extract/worker-start.ts).
 */
import { setFlagsFromString } from 'node:v8';

export function applyGcFlags(): void {
  setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=10');
}
