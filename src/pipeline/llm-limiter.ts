/**
 * The gate every HTTP call to the model goes through, and the one place that handles rate
 * limits: at most `concurrency` calls in flight, the provider's requests-per-minute and
 * tokens-per-minute limits kept over a sliding 60 s window, and pacing after 429s.
 *
 * The pacing is a pure function of the recent answers (`pacingOf`), so nothing a 429 did
 * outlives PACING_WINDOW answers after it:
 * - a 429 makes its own call wait the Retry-After (capped; without one, a back-off doubling with
 *   each 429 the call gets in a row) and then runs it again; an isolated 429 only holds back half
 *   the slots until the next answer, so a provider that refuses a share of requests at random
 *   costs those requests a wait, no more;
 * - repeated 429s (two or more answers in a row: the provider is over its limit) pause every new
 *   call for the wait the last one asked, halve the calls in flight and space calls at the pace
 *   the provider let through before them (a steady provider limit is learned from that);
 * - each answer that is not a 429 gives back a slot and shortens the spacing, and once the
 *   overload has left the window the pace is the configured one again.
 * A run against a provider that allows a few requests a second slows to that pace instead of
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
  /** Wait after a 429 that named none (default 1 s), doubling with each such 429 in a row. */
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
  /** Until when new calls wait because of repeated 429s (same clock as `now`); 0 when not paused. */
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

/** Answers an overload is remembered for: after this many answers without 429s, it is forgotten. */
export const PACING_WINDOW = 20;
/**
 * Answers kept: the window, and as many before it, so the pace before an overload is read from
 * the same answers for as long as the overload is remembered (not from fewer and fewer of them).
 */
export const PACING_HISTORY = 2 * PACING_WINDOW;
/** Calls are spaced this much slower than the pace the provider let through before an overload. */
const SPACING_MARGIN = 1.25;
/** Each answer after an overload shortens the spacing by this factor: the pace climbs back about 2% a call. */
const SPACING_RECOVERY = 0.98;
/** Below this the spacing is dropped: calls are no longer paced. */
const MIN_SPACING_MS = 1;

/** One answer of the provider, as the pacing reads it. */
export interface PacedAnswer {
  /** When it came back (the limiter's clock). */
  at: number;
  /** A 429. Any other answer (a draft, a 500, a broken body) means the provider let the call through. */
  rateLimited: boolean;
  /** The 429's Retry-After in ms; null when it named none. */
  retryAfterMs?: number | null;
}

/** How calls are paced now: derived from the recent answers alone. */
export interface Pacing {
  /** No new call starts before this (same clock as the answers); 0: no pause. */
  pausedUntil: number;
  /** Least time between two call starts (0: calls are not spaced). */
  spacingMs: number;
  /** Calls allowed in flight. */
  concurrency: number;
}

/** The limits the pacing works within. */
export interface PacingLimits {
  /** Most calls in flight (llm.concurrency). */
  concurrency: number;
  /** Longest wait a Retry-After or a back-off imposes. */
  capMs: number;
  /** First back-off after a 429 that named no wait; it doubles with each 429 in a row. */
  defaultPauseMs: number;
}

/**
 * How long a call waits after the `attempt`-th 429 in a row it got (0-based): the Retry-After it
 * named, else a doubling back-off from the default pause; either capped.
 */
export function rateLimitWait(retryAfterMs: number | null | undefined, attempt: number, limits: PacingLimits): number {
  const asked = retryAfterMs != null && retryAfterMs > 0 ? retryAfterMs : limits.defaultPauseMs * 2 ** attempt;
  return Math.min(limits.capMs, asked);
}

/**
 * The pacing after `recent` answers (oldest first; only the last PACING_HISTORY are read). An
 * overload is two or more 429s in a row; a lone 429 among answers that went through is the
 * provider refusing one request, not a sign that calls go too fast. Only overloads that end in
 * the last PACING_WINDOW answers count.
 * - Pause: while the latest answers are an overload, until the last one's wait is over (its
 *   Retry-After, else the back-off for that many 429s in a row); after a 429 asking for more than
 *   the cap (the provider means "much later"), for the cap.
 * - Concurrency: halved for each overload in the window, then one more slot per answer that went
 *   through since the latest one; halved too right after a lone 429, until the next answer.
 * - Spacing: after the latest overload, the pace the provider let through before it (the answers
 *   that went through since the overload before, over the time they took or the wait it then
 *   asked, whichever is longer), with a margin; shortened by each answer that went through since.
 *   With none let through the pause alone holds calls back.
 */
export function pacingOf(recent: readonly PacedAnswer[], limits: PacingLimits): Pacing {
  const max = Math.max(1, Math.floor(limits.concurrency));
  const history = recent.slice(-PACING_HISTORY);
  const calm: Pacing = { pausedUntil: 0, spacingMs: 0, concurrency: max };
  if (history.length === 0) return calm;

  // Runs of 429s in a row, as [first, last] indexes into the history.
  const overloads: [number, number][] = [];
  for (let i = 0; i < history.length; ) {
    if (!history[i]!.rateLimited) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < history.length && history[j + 1]!.rateLimited) j++;
    if (j > i) overloads.push([i, j]);
    i = j + 1;
  }
  const remembered = overloads.filter(([, end]) => end >= history.length - PACING_WINDOW).length;

  const last = history[history.length - 1]!;
  let pausedUntil = 0;
  if (last.rateLimited && (last.retryAfterMs ?? 0) > limits.capMs) pausedUntil = last.at + limits.capMs;
  const latest = remembered > 0 ? overloads[overloads.length - 1] : undefined;
  if (latest && latest[1] === history.length - 1) {
    const inRow = latest[1] - latest[0] + 1;
    pausedUntil = Math.max(pausedUntil, last.at + rateLimitWait(last.retryAfterMs, inRow - 1, limits));
  }
  // A 429 just now, alone so far: until the next answer shows whether it repeats, no more than
  // half the calls go out (the ones in flight may be meeting the same limit).
  const lone = last.rateLimited && !(latest && latest[1] === history.length - 1);
  const holdBack = (concurrency: number) => (lone ? Math.min(concurrency, Math.max(1, max >> 1)) : concurrency);
  if (!latest) return { ...calm, pausedUntil, concurrency: holdBack(max) };

  const [first, end] = latest;
  const throughAfter = history.slice(end + 1).filter((a) => !a.rateLimited).length;
  const concurrency = Math.min(max, Math.max(1, max >> remembered) + throughAfter);

  // The pace before the overload: since the overload before it, or the start of the history.
  const previous = overloads[overloads.length - 2];
  const before = history.slice(previous ? previous[1] + 1 : 0, first).filter((a) => !a.rateLimited);
  const askedMs = rateLimitWait(history[end]!.retryAfterMs, end - first, limits);
  const tookMs = before.length > 0 ? history[first]!.at - before[0]!.at : 0;
  // Nothing let through (an overload at the start of the history): the pause alone holds calls back.
  const sustainedMs = before.length === 0 ? 0 : Math.min(limits.capMs, (Math.max(tookMs, askedMs) / before.length) * SPACING_MARGIN);
  let spacingMs = sustainedMs * SPACING_RECOVERY ** throughAfter;
  if (spacingMs < MIN_SPACING_MS) spacingMs = 0;
  return { pausedUntil, spacingMs, concurrency: holdBack(concurrency) };
}

interface Waiter {
  tokens: number;
  start: () => void;
}

/** Creates a limiter; see LlmLimiterOptions for the knobs. */
export function createLlmLimiter(opts: LlmLimiterOptions): LlmLimiter {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const limits: PacingLimits = {
    concurrency: Math.max(1, Math.floor(opts.concurrency)),
    capMs: opts.retryAfterCapMs ?? 60_000,
    defaultPauseMs: opts.defaultPauseMs ?? 1000,
  };
  const maxRetries = opts.maxRateLimitRetries ?? 6;
  const rpm = opts.requestsPerMinute;
  const tpm = opts.tokensPerMinute;

  let inFlight = 0;
  let peakInFlight = 0;
  let rateLimitedCount = 0;
  let lastStartAt = -Infinity;
  /** The last PACING_HISTORY answers, oldest first, and the pacing they give. */
  const answers: PacedAnswer[] = [];
  let pacing = pacingOf(answers, limits);
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
    if (t < pacing.pausedUntil) return pacing.pausedUntil - t;
    let wait = pacing.spacingMs > 0 ? lastStartAt + pacing.spacingMs - t : 0;
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
    while (queue.length > 0 && inFlight < pacing.concurrency) {
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

  /** Records one answer; the pacing is derived again from the window it ends. */
  const answered = (answer: PacedAnswer) => {
    if (answer.rateLimited) rateLimitedCount++;
    answers.push(answer);
    if (answers.length > PACING_HISTORY) answers.shift();
    pacing = pacingOf(answers, limits);
  };

  /**
   * Resolves once the call may go, or with false when the signal aborted first (the call then
   * runs outside the limits, only to see the abort). A retry goes first: it has waited already.
   */
  const acquire = (tokens: number, retry: boolean, signal: AbortSignal | undefined) =>
    new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(false);
      const onAbort = () => {
        const i = queue.indexOf(waiter);
        if (i < 0) return;
        queue.splice(i, 1);
        resolve(false);
      };
      const waiter: Waiter = {
        tokens,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (retry) queue.unshift(waiter);
      else queue.push(waiter);
      pump();
    });

  /** The wait a rate-limited call sits out before it queues again, cut short by an abort. */
  const waitOut = (ms: number, signal: AbortSignal | undefined) =>
    signal
      ? new Promise<void>((resolve) => {
          if (signal.aborted) return resolve();
          const done = () => {
            signal.removeEventListener('abort', done);
            resolve();
          };
          signal.addEventListener('abort', done, { once: true });
          void sleep(ms).then(done);
        })
      : sleep(ms);

  const release = () => {
    inFlight--;
    pump();
  };

  async function run<T>(estimatedTokens: number, task: () => Promise<T>, call: GatedCall<T> = {}): Promise<T> {
    const tokens = Math.max(0, estimatedTokens);
    for (let attempt = 0; ; attempt++) {
      if (!(await acquire(tokens, attempt > 0, call.signal))) return task();
      let result: T;
      let retryAfterMs: number | null;
      try {
        result = await task();
        // Judged before the slot is freed, so the next call already sees the pacing this answer sets.
        retryAfterMs = call.rateLimitedFor?.(result) ?? null;
        answered(retryAfterMs === null ? { at: now(), rateLimited: false } : { at: now(), rateLimited: true, retryAfterMs: retryAfterMs > 0 ? retryAfterMs : null });
      } finally {
        release();
      }
      if (retryAfterMs === null) return result;
      // A wait longer than the cap means "come back in a later run": the caller defers the item.
      if (attempt >= maxRetries || retryAfterMs > limits.capMs || call.signal?.aborted) return result;
      // This call waits what its 429 asked; the others go on unless the 429s repeat (pacingOf).
      await waitOut(rateLimitWait(retryAfterMs, attempt, limits), call.signal);
    }
  }

  return {
    run,
    get stats(): LlmLimiterStats {
      return {
        limit: pacing.concurrency,
        inFlight,
        waiting: queue.length,
        peakInFlight,
        rateLimited: rateLimitedCount,
        pausedUntil: pacing.pausedUntil > now() ? pacing.pausedUntil : 0,
        spacingMs: pacing.spacingMs,
      };
    },
  };
}
