#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so a clone works after `npm ci` with no build step.
import { subscribe } from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// V8's defaults suit a big server, not a cron job: young generations grow to 32 MB of mostly garbage
// and the old generation may double before a full GC (a run peaked at 428 MB, ~63 MB of it live).
// Semi-spaces stay at their start size (2 MB) and the old generation grows by 10% between GCs.
// --max-semi-space-size cannot be set after start, so the growth factor stands in for it.
const applyGcFlags = () => setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=10');
register();
applyGcFlags();
// Starting a thread resets V8's flags to the command line's: tsx's loader above, each worker, and (when
// a worker falls back to the tsx bootstrap) the loader it registers before its first message. So they
// are applied again after each.
subscribe('worker_threads', ({ worker }) => {
  worker.once('online', applyGcFlags);
  worker.once('message', applyGcFlags);
});
await import('../src/cli.ts');
