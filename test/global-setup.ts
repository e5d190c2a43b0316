/**
 * Builds dist/ once before any test file runs: tests that spawn the CLI run bin/aiwins.js, which
 * runs dist/, and must see the sources as they are now, never an older build.
 */
import { build } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await build();
}
