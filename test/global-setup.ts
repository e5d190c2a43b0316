/**
 * Builds dist/ once before the e2e and browser tests run: tests that spawn the CLI run
 * bin/aiwins.js, which runs dist/, and must see the sources as they are now, never an older build.
 * Both projects name this setup; the build is shared through globalThis (vitest runs every
 * project's setup in its own main process), so that one run of `npm test` builds once, not twice
 * at the same time into the same folder.
 */
import { build } from '../scripts/build.mjs';

const BUILT = Symbol.for('aiwins.test.build');

export default async function setup(): Promise<void> {
  const shared = globalThis as { [BUILT]?: Promise<void> };
  await (shared[BUILT] ??= build().then(() => undefined));
}
