/**
 * The gate every HTTP call to the model goes through, and the one place that handles rate
 * limits: at most `concurrency` calls in flight, the provider's requests-per-minute and
 * tokens-per-minute limits kept over a sliding 60 s window, and adaptive back-off when the
 * provider answers 429 anyway. On a 429 new calls wait out the Retry-After (capped), the
 * concurrency is halved and calls are spaced out at the pace the provider just sustained; both
 * come back slowly with successes (AIMD). The rate-limited call is run again after the pause, so
 * a run against a provider that allows a few requests a second slows to that pace instead of
 * failing or deferring its items. The LLM client itself never retries a 429.
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
  /**
   * Times one call is run again after being rate limited before its 429 is returned (default 6):
   * a bound for a provider that never lets a call through; the caller defers the item then.
   */
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
  /** Least time between two call starts, learned from 429s (0: calls are not spaced). */
  spacingMs: number;
}

/** How the limiter reads one call's result. */
export interface GatedCall<T> {
  /** The provider's 429: the wait it asked for in ms (0 when it named none), or null for any other result. */
  rateLimitedFor?: (result: T) => number | null;
  /** Once aborted, a waiting call starts at once (outside the limits) so it can see the abort and end. */
  signal?: AbortSignal;
}

/** The limiter a run wraps each LLM call in. */
export interface LlmLimiter {
  /**
   * Runs `task` when a slot, the pause, the spacing, the RPM window and the TPM window allow
   * `estimatedTokens` more; runs it again after a 429 (see GatedCall), returning the last result.
   */
  run<T>(estimatedTokens: number, task: () => Promise<T>, call?: GatedCall<T>): Promise<T>;
  readonly stats: LlmLimiterStats;
}

const WINDOW_MS = 60_000;
/** After a 429, calls are spaced so they start this much slower than the pace that was just sustained. */
const SPACING_MARGIN = 1.25;
/** Each success shortens the spacing by this factor: the pace climbs back about 2% a call. */
const SPACING_RECOVERY = 0.98;
/** Below this the spacing is dropped: calls are no longer paced. */
const MIN_SPACING_MS = 1;

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
  const maxRetries = opts.maxRateLimitRetries ?? 6;
  const rpm = opts.requestsPerMinute;
  const tpm = opts.tokensPerMinute;

  let limit = max;
  let inFlight = 0;
  let peakInFlight = 0;
  let successesAtLimit = 0;
  let rateLimitedCount = 0;
  let pausedUntil = 0;
  let spacingMs = 0;
  let lastStartAt = -Infinity;
  /** Successes since the last overload: with the pause, the pace the provider let through. */
  let successesSinceOverload = 0;
  /** Calls started so far, and how many had started when the last overload was handled. */
  let startCount = 0;
  let startsAtOverload = 0;
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
    let wait = spacingMs > 0 ? lastStartAt + spacingMs - t : 0;
    if (rpm === undefined && tpm === undefined) return Math.max(0, wait);
    pruneWindow(t);
    if (rpm !== undefined && started.length >= rpm) wait = Math.max(wait, started[started.length - rpm]!.at + WINDOW_MS - t);
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
      lastStartAt = t;
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

  /**
   * A 429: pause new calls, and once per overload halve the concurrency and space calls out.
   * `startNo` is the call's place in start order, to tell a new overload from the one already
   * handled (calls in flight when it was handled hit the same overload); `attempt` counts the
   * 429s this call has had in a row, to back off further when the provider named no wait.
   */
  const rateLimited = (retryAfterMs: number, startNo: number, attempt: number) => {
    rateLimitedCount++;
    const t = now();
    const pause = Math.min(capMs, retryAfterMs > 0 ? retryAfterMs : defaultPauseMs * 2 ** attempt);
    pausedUntil = Math.max(pausedUntil, t + pause);
    // Past the cap the provider means "a later run": that item is deferred, and its wait says
    // nothing about the pace the others may keep.
    if (startNo < startsAtOverload || retryAfterMs > capMs) return;
    startsAtOverload = startCount;
    limit = Math.max(1, Math.floor(limit / 2));
    successesAtLimit = 0;
    // The provider let `successesSinceOverload` calls through and now asks for `pause`: start no
    // faster than that, with a margin. A second overload at the same spacing doubles it.
    const sustained = successesSinceOverload > 0 ? (pause / successesSinceOverload) * SPACING_MARGIN : 0;
    spacingMs = Math.min(capMs, Math.max(spacingMs * 2, sustained));
    successesSinceOverload = 0;
  };

  const succeeded = () => {
    successesSinceOverload++;
    if (spacingMs > 0) {
      spacingMs *= SPACING_RECOVERY;
      if (spacingMs < MIN_SPACING_MS) spacingMs = 0;
    }
    if (limit >= max) return;
    // Additive increase: one more slot per round of `limit` successes.
    if (++successesAtLimit >= limit) {
      limit++;
      successesAtLimit = 0;
    }
  };

  /**
   * Resolves with the call's start number once it may go, or null when the signal aborted first
   * (the call then runs outside the limits, only to see the abort). A retry goes first: it has waited already.
   */
  const acquire = (tokens: number, retry: boolean, signal: AbortSignal | undefined) =>
    new Promise<number | null>((resolve) => {
      if (signal?.aborted) return resolve(null);
      const onAbort = () => {
        const i = queue.indexOf(waiter);
        if (i < 0) return;
        queue.splice(i, 1);
        resolve(null);
      };
      const waiter: Waiter = {
        tokens,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(startCount - 1);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (retry) queue.unshift(waiter);
      else queue.push(waiter);
      pump();
    });

  const release = () => {
    inFlight--;
    pump();
  };

  async function run<T>(estimatedTokens: number, task: () => Promise<T>, call: GatedCall<T> = {}): Promise<T> {
    const tokens = Math.max(0, estimatedTokens);
    for (let attempt = 0; ; attempt++) {
      const startNo = await acquire(tokens, attempt > 0, call.signal);
      if (startNo === null) return task();
      let result: T;
      let retryAfterMs: number | null;
      try {
        result = await task();
        // Judged before the slot is freed, so the next call already sees the pause a 429 sets.
        retryAfterMs = call.rateLimitedFor?.(result) ?? null;
        if (retryAfterMs === null) succeeded();
        else rateLimited(retryAfterMs, startNo, attempt);
      } finally {
        release();
      }
      if (retryAfterMs === null) return result;
      // A wait longer than the cap means "come back in a later run": the caller defers the item.
      if (attempt >= maxRetries || retryAfterMs > capMs || call.signal?.aborted) return result;
    }
  }

  return {
    run,
    get stats(): LlmLimiterStats {
      return {
        limit,
        inFlight,
        waiting: queue.length,
        peakInFlight,
        rateLimited: rateLimitedCount,
        pausedUntil: pausedUntil > now() ? pausedUntil : 0,
        spacingMs,
      };
    },
  };
}
