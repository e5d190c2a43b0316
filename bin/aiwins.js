#!/usr/bin/env node
// Runs the CLI compiled into dist/ (by `npm ci` through `prepare`, or `npm run build`): plain
// JavaScript, no TypeScript loader at start-up. In a checkout whose src/ changed since the last
// build it rebuilds first (about 1.5 s), so what runs is never older than the sources.
import { subscribe } from 'node:diagnostics_channel';
import * as nodeModule from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { build, isStale } from '../scripts/build.mjs';

// V8's defaults suit a big server, not a cron job: young generations grow to 32 MB of mostly garbage
// and the old generation may double before a full GC. Semi-spaces stay at their start size (2 MB)
// and the old generation grows by 10% between GCs. --max-semi-space-size cannot be set after start,
// so the growth factor stands in for it.
const applyGcFlags = () => setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=10');
applyGcFlags();
// Starting a thread resets V8's flags to the command line's, so they are applied again after each.
subscribe('worker_threads', ({ worker }) => worker.once('online', applyGcFlags));

// Node 22.1+ keeps V8's compiled code of the modules on disk (under the OS temp folder), so later
// starts skip parsing and compiling them; Node 20 has no such cache and starts as before.
nodeModule.enableCompileCache?.();

if (isStale()) {
  try {
    await build();
  } catch (err) {
    process.stderr.write(`aiwins: src/ changed since dist/ was built and rebuilding failed (${err.message}); run npm run build\n`);
    process.exit(2);
  }
}
await import('../dist/cli.js');
