import { isPermanent, isRunFatal, type Failure } from '../core/failure.ts';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** What becomes of an item whose work failed. */
export type ItemDisposition =
  /** Not the item's fault (the run stopped, the endpoint or database failed): left as it was, no attempt. */
  | { action: 'release' }
  | {
      action: 'record';
      /** failed: retried after a back-off; deferred: waits for the time named; blocked: not retried. */
      status: 'failed' | 'deferred' | 'blocked';
      countsAttempt: boolean;
      /** When the item is due again (ms epoch); null when it is not retried. */
      nextAttemptAt: number | null;
    };

export interface RetryPolicy {
  maxAttempts: number;
  /** First back-off after a failed attempt; doubles each attempt, capped at a day. */
  retryBackoffMinutes: number;
}

/** Failures of the run, not of the item: the item waits for the next run with no attempt spent. */
const notTheItems = (f: Failure): boolean =>
  isRunFatal(f) || f.kind === 'run.aborted' || f.kind === 'run.lease_lost' || f.kind === 'run.deadline' || f.kind.startsWith('db.');

/**
 * What to do with an item whose work failed with `failure`, after `attempts` earlier attempts.
 * Pure: the caller records the result.
 *
 * - A rate limit of the LLM (back-pressure) or a spent token budget waits without an attempt.
 * - An article page answering 429/503 waits for its Retry-After, counting an attempt, so a page
 *   that always refuses ends: at the last attempt the item fails with the reason (the caller
 *   first tries the feed's own text).
 * - Failures that will not change on a retry block the item; the rest back off, doubling.
 */
export function itemDisposition(failure: Failure, attempts: number, policy: RetryPolicy, now: number): ItemDisposition {
  if (notTheItems(failure)) return { action: 'release' };
  const waitFor = (f: Failure) => now + Math.min(f.retryAfterMs ?? HOUR_MS, DAY_MS);
  if (failure.kind === 'llm.rate_limited' || failure.kind === 'llm.budget') {
    return { action: 'record', status: 'deferred', countsAttempt: false, nextAttemptAt: waitFor(failure) };
  }
  if (isPermanent(failure)) return { action: 'record', status: 'blocked', countsAttempt: true, nextAttemptAt: null };
  const backoff = now + Math.min(policy.retryBackoffMinutes * 60_000 * 2 ** attempts, DAY_MS);
  if (failure.kind === 'fetch.rate_limited') {
    return attempts + 1 >= policy.maxAttempts
      ? { action: 'record', status: 'failed', countsAttempt: true, nextAttemptAt: backoff }
      : { action: 'record', status: 'deferred', countsAttempt: true, nextAttemptAt: waitFor(failure) };
  }
  return { action: 'record', status: 'failed', countsAttempt: true, nextAttemptAt: backoff };
}

/** Whether this attempt is the item's last: a page that keeps refusing then falls back to the feed's text. */
export const isLastAttempt = (attempts: number, policy: RetryPolicy): boolean => attempts + 1 >= policy.maxAttempts;
