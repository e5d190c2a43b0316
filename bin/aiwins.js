#!/usr/bin/env node
// Runs the CLI compiled into dist/ (by `npm ci` through `prepare`, or `npm run build`): plain
// JavaScript, no TypeScript loader at start-up. In a checkout whose src/ changed since the last
// build it rebuilds first (about 1.5 s), so what runs is never older than the sources.
import * as nodeModule from 'node:module';
import { build, isStale } from '../scripts/build.mjs';

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
// The main thread's GC flags (src/core/gc-flags.ts), set before the CLI's modules load.
const { applyGcFlags } = await import('../dist/core/gc-flags.js');
applyGcFlags();
await import('../dist/cli.js');
