import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three projects, chosen by file name so that a new test lands in the right one (README,
 * "Development"): `npm test` runs them all, `npm run test:unit` gives the one who edits a loop of
 * seconds.
 * - unit: src/**\/*.test.ts. No build and no child processes (local servers on 127.0.0.1 in-process
 *   are fine), so it needs no build; its one global setup says whether PostgreSQL tests run.
 * - e2e: test/**\/*.test.ts, plus any src/**\/*.e2e.test.ts (a src test that spawns a process or
 *   loads dist/). The CLI runs dist/, so dist/ is built first.
 * - browser: test/**\/*.browser.test.ts, the desk in headless Chromium against `aiwins serve`.
 */
const SRC_E2E = 'src/**/*.e2e.test.ts';
const BROWSER = 'test/**/*.browser.test.ts';
const PG = 'test/postgres-setup.ts';
const BUILD = ['test/global-setup.ts', PG];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most e2e time is waiting (on child processes, leases, local servers), not CPU: vitest's default
    // of one worker fewer than the cores left a 2-core machine running the files one at a time
    // (264 s for the whole suite; 169 s with two workers, side by side on one quiet machine).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        // Files share their worker's modules (no isolation): importing hono, SQLite and the parsers
        // once per worker instead of once per file is most of what makes this project take seconds.
        // A unit test therefore leaves nothing global behind (no vi.mock, no process.env changes).
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, SRC_E2E],
          isolate: false,
          globalSetup: [PG],
          // Fails any test that starts a process, naming where it belongs instead.
          setupFiles: ['test/helpers/unit-guard.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.test.ts', SRC_E2E], exclude: [...configDefaults.exclude, BROWSER], globalSetup: BUILD },
      },
      { extends: true, test: { name: 'browser', include: [BROWSER], globalSetup: BUILD } },
    ],
  },
});
