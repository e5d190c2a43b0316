/**
 * The gate every LLM call of a run goes through: at most `concurrency` calls in flight, the
 * provider's requests-per-minute and tokens-per-minute limits kept over a sliding 60 s window,
 * and adaptive back-off when the provider answers 429 anyway (AIMD: the concurrency is halved,
 * then grows by one per round of successes back to the configured maximum, and new calls wait
 * out the Retry-After, capped). A rate-limited call is run again after the pause, a few times,
 * so a run that hits a limit slows down instead of deferring its items.
 */

/** Settings of one limiter; the clock and sleep are injectable for tests. */
export interface LlmLimiterOptions {
  /** Most calls in flight, and the ceiling the adaptive concurrency climbs back to. */
  concurrency: number;
  /** Calls started per rolling minute; unset: no limit. */
  requestsPerMinute?: number;
  /** Estimated tokens of calls started per rolling minute; unset: no limit. */
  tokensPerMinute?: number;
  /** Longest pause a Retry-After can impose (default 60 s). */
  retryAfterCapMs?: number;
  /** Pause after a 429 that named no wait (default 1 s). */
  defaultPauseMs?: number;
  /** Times one call is run again after being rate limited before its result is returned (default 2). */
  maxRateLimitRetries?: number;
  /** Milliseconds since some epoch; default Date.now. */
  now?: () => number;
  /** Resolves after `ms`; default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the limiter is doing now, for progress displays and tests. */
export interface LlmLimiterStats {
  /** Concurrency allowed now (lowered by 429s, back up with successes). */
  limit: number;
  inFlight: number;
  waiting: number;
  /** Most calls in flight at once so far. */
  peakInFlight: number;
  /** Calls that came back rate limited (each attempt counts). */
  rateLimited: number;
  /** Until when new calls wait because of a 429 (same clock as `now`); 0 when not paused. */
  pausedUntil: number;
}

/** The limiter a run wraps each LLM call in. */
export interface LlmLimiter {
  /**
   * Runs `task` when a slot, the RPM window and the TPM window allow `estimatedTokens` more.
   * `isRateLimited` tells whether a result is the provider's 429: it returns the wait the provider
   * asked for in ms (0 when it named none), or null for any other result.
   */
  run<T>(estimatedTokens: number, task: () => Promise<T>, isRateLimited?: (result: T) => number | null): Promise<T>;
  readonly stats: LlmLimiterStats;
}

const WINDOW_MS = 60_000;

interface Waiter {
  tokens: number;
  start: () => void;
}

/** Creates a limiter; see LlmLimiterOptions for the knobs. */
export function createLlmLimiter(opts: LlmLimiterOptions): LlmLimiter {
  const max = Math.max(1, Math.floor(opts.concurrency));
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const capMs = opts.retryAfterCapMs ?? 60_000;
  const defaultPauseMs = opts.defaultPauseMs ?? 1000;
  const maxRetries = opts.maxRateLimitRetries ?? 2;
  const rpm = opts.requestsPerMinute;
  const tpm = opts.tokensPerMinute;

  let limit = max;
  let inFlight = 0;
  let peakInFlight = 0;
  let successesAtLimit = 0;
  let rateLimitedCount = 0;
  let pausedUntil = 0;
  /** Calls started so far, and how many had started when the concurrency was last halved. */
  let startCount = 0;
  let startsAtDecrease = 0;
  const queue: Waiter[] = [];
  /** Calls started within the last minute, oldest first (only kept when an RPM or TPM limit is set). */
  const started: { at: number; tokens: number }[] = [];
  let windowTokens = 0;
  /** The time a wake-up is already scheduled for, so the queue is not woken by a timer per waiter. */
  let wakeAt = Infinity;

  const pruneWindow = (t: number) => {
    while (started.length > 0 && started[0]!.at <= t - WINDOW_MS) windowTokens -= started.shift()!.tokens;
  };

  /** 0 when the head of the queue may start now, else how long until it may. */
  const waitFor = (tokens: number, t: number): number => {
    if (t < pausedUntil) return pausedUntil - t;
    if (rpm === undefined && tpm === undefined) return 0;
    pruneWindow(t);
    let wait = 0;
    if (rpm !== undefined && started.length >= rpm) wait = started[started.length - rpm]!.at + WINDOW_MS - t;
    // A call bigger than the whole budget still runs, alone in its window, rather than never.
    if (tpm !== undefined && started.length > 0 && windowTokens + tokens > tpm) {
      // Wait until enough of the oldest calls leave the window (all of them, for an oversized call).
      let left = windowTokens;
      let until = started[started.length - 1]!.at;
      for (const s of started) {
        left -= s.tokens;
        if (left + tokens <= tpm) {
          until = s.at;
          break;
        }
      }
      wait = Math.max(wait, until + WINDOW_MS - t);
    }
    return Math.max(0, wait);
  };

  const pump = () => {
    while (queue.length > 0 && inFlight < limit) {
      const t = now();
      const wait = waitFor(queue[0]!.tokens, t);
      if (wait > 0) {
        scheduleWake(t + wait);
        return;
      }
      const next = queue.shift()!;
      if (rpm !== undefined || tpm !== undefined) {
        started.push({ at: t, tokens: next.tokens });
        windowTokens += next.tokens;
      }
      inFlight++;
      startCount++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      next.start();
    }
  };

  const scheduleWake = (at: number) => {
    if (at >= wakeAt) return;
    wakeAt = at;
    void sleep(Math.max(1, at - now())).then(() => {
      if (wakeAt === at) wakeAt = Infinity;
      pump();
    });
  };

  /** `startNo`: the call's place in start order, to tell a new overload from the one already handled. */
  const rateLimited = (retryAfterMs: number, startNo: number) => {
    rateLimitedCount++;
    const t = now();
    const pause = Math.min(capMs, retryAfterMs > 0 ? retryAfterMs : defaultPauseMs);
    pausedUntil = Math.max(pausedUntil, t + pause);
    // Calls already in flight when we halved hit the same overload: halve once per event.
    if (startNo >= startsAtDecrease) {
      limit = Math.max(1, Math.floor(limit / 2));
      startsAtDecrease = startCount;
      successesAtLimit = 0;
    }
  };

  const succeeded = () => {
    if (limit >= max) return;
    // Additive increase: one more slot per round of `limit` successes.
    if (++successesAtLimit >= limit) {
      limit++;
      successesAtLimit = 0;
    }
  };

  /** Resolves with the call's start number once it may go; a retry goes first, it has waited already. */
  const acquire = (tokens: number, retry: boolean) =>
    new Promise<number>((resolve) => {
      const waiter = { tokens, start: () => resolve(startCount - 1) };
      if (retry) queue.unshift(waiter);
      else queue.push(waiter);
      pump();
    });

  const release = () => {
    inFlight--;
    pump();
  };

  async function run<T>(estimatedTokens: number, task: () => Promise<T>, isRateLimited?: (result: T) => number | null): Promise<T> {
    const tokens = Math.max(0, estimatedTokens);
    for (let attempt = 0; ; attempt++) {
      const startNo = await acquire(tokens, attempt > 0);
      let result: T;
      try {
        result = await task();
      } finally {
        release();
      }
      const retryAfterMs = isRateLimited?.(result) ?? null;
      if (retryAfterMs === null) {
        succeeded();
        return result;
      }
      rateLimited(retryAfterMs, startNo);
      // A wait longer than the cap means "come back in a later run": the caller defers the item.
      if (attempt >= maxRetries || retryAfterMs > capMs) return result;
    }
  }

  return {
    run,
    get stats(): LlmLimiterStats {
      return { limit, inFlight, waiting: queue.length, peakInFlight, rateLimited: rateLimitedCount, pausedUntil: pausedUntil > now() ? pausedUntil : 0 };
    },
  };
}
