/**
 * Setup of the unit project (vitest.config.ts): a unit test starts no process. The CLI and other
 * programs are run by the e2e tests, which build dist/ first; a unit test that spawned one would be
 * slow, and would run a stale build. Any child_process call fails the test, saying where it goes.
 * (Worker threads are not processes, and local servers in-process are fine.)
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const CALLS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

for (const name of CALLS) {
  (childProcess as unknown as Record<string, unknown>)[name] = () => {
    throw new Error(
      `a unit test started a process (child_process.${name}): a test that runs the CLI or another program is an e2e test; ` +
        'name it test/<name>.e2e.test.ts, or src/<stage>/<name>.e2e.test.ts (README, "Development")',
    );
  };
}
// `import { spawn } from 'node:child_process'` sees the replacements too.
syncBuiltinESMExports();
