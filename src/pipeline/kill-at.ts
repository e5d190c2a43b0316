/**
 * Fault injection for the crash tests: a run given `killAt` SIGKILLs its own process the first
 * time it reaches that point, as a crash or `kill -9` would, so a test can check that the next
 * run loses nothing and drafts nothing twice.
 */

/** Where a run can be killed: after a feed was fetched, after an item's article was extracted, after its draft was made (before it is stored). */
export const KILL_POINTS = ['after-feed-fetch', 'after-extract', 'after-draft'] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

/** The hook the steps call at each point: kills the process at `at`, does nothing elsewhere (or without `at`). */
export function killProcessAt(at: KillPoint | undefined): (point: KillPoint) => void {
  if (!at) return () => {};
  return (point) => {
    if (point === at) process.kill(process.pid, 'SIGKILL');
  };
}

/** The kill point a test asks for by name (the CLI reads it from AIWINS_FAULT_KILL_AT); anything else is none. */
export function killPointOf(name: string | undefined): KillPoint | undefined {
  return KILL_POINTS.find((p) => p === name);
}
