/**
 * The queue's filter options (feeds, categories, engines, verdicts) are the distinct values of
 * every draft: at a year's size (100,000 stories) reading them is most of a queue page's time
 * (about 70 ms of 107), yet they change only when a run adds a category or a feed. So the desk
 * keeps them for a short while: a new value shows up in the menus at most that long after it
 * appears, and every queue load in between costs nothing for them.
 */

/** `read`, remembered for `periodMs` (by `now`); concurrent callers share one read, and a failed read is not kept. */
export function keptFor<T>(periodMs: number, read: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let kept: { at: number; value: Promise<T> } | null = null;
  return () => {
    const t = now();
    if (kept && t - kept.at < periodMs) return kept.value;
    const value = read();
    const entry = { at: t, value };
    kept = entry;
    value.catch(() => {
      if (kept === entry) kept = null;
    });
    return value;
  };
}
