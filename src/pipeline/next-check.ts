import { parseHttpDate } from '../core/http-date.ts';

/**
 * When a feed is next due: its interval, stretched by what the server says and by errors. Pure: the caller stores the result
 * as `next_check_at` and the scheduler asks the database which feeds are due.
 *
 * Rules, in order:
 * 1. Normal delay = max(configured interval, RSS <ttl>, Cache-Control max-age, Expires - now),
 *    clamped to [min, max] (default 15 min .. 24 h). The server can slow us down, never speed us up.
 * 2. Retry-After present (429/503): max(Retry-After, normal delay), capped at 24 h. It "wins" over
 *    the error back-off, but a server asking for 2 minutes still gets the normal delay: Retry-After
 *    says "not before", and a feed that is limiting us is no reason to poll faster than usual.
 * 3. Otherwise, after consecutive errors: normal * 2^(errors-1), capped at 24 h (never below the
 *    normal delay). A 429/503 without Retry-After waits at least 1 h, doubling from there.
 * Headers that do not parse are ignored, as if absent.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Ceiling of any error back-off or Retry-After, whatever maxMinutes says. */
const BACKOFF_CAP_MS = DAY_MS;
/** Floor for a 429/503 that names no Retry-After. */
const RATE_LIMITED_FLOOR_MS = HOUR_MS;

/** What the last check of a feed learned. Times in ms epoch; header values verbatim. */
export interface NextCheckInput {
  now: number;
  /** The configured polling interval. */
  intervalMinutes: number;
  /** Floor of the normal delay. Default 15. */
  minMinutes?: number;
  /** Ceiling of the normal delay. Default 24 h. */
  maxMinutes?: number;
  /** RSS <ttl>. */
  ttlMinutes?: number | null;
  /** Cache-Control header of the last successful response. */
  cacheControl?: string | null;
  /** Expires header of the last successful response. */
  expires?: string | null;
  /** Retry-After of a 429/503, already in ms (fetch's `Failure.retryAfterMs`). */
  retryAfterMs?: number | null;
  /** Errors in a row including this check; 0 (the default) after a success. */
  consecutiveErrors?: number;
  /** True when this check failed with 429/503 (`fetch.rate_limited`). */
  rateLimited?: boolean;
}

/** The time (ms epoch) the feed is next due. */
export function nextCheckAt(i: NextCheckInput): number {
  // 0 is a valid floor (tests, and operators who poll their own feeds); only absent or invalid means 15.
  const minMs = (typeof i.minMinutes === 'number' && i.minMinutes >= 0 ? i.minMinutes : 15) * MINUTE_MS;
  const maxMs = Math.max(minMs, positiveOr(i.maxMinutes, 24 * 60) * MINUTE_MS);
  const hints = [
    positiveOr(i.intervalMinutes, 0) * MINUTE_MS,
    positiveOr(i.ttlMinutes, 0) * MINUTE_MS,
    maxAgeMs(i.cacheControl ?? null) ?? 0,
    expiresInMs(i.expires ?? null, i.now) ?? 0,
  ];
  const normal = clamp(Math.max(...hints), minMs, maxMs);

  const retryAfter = i.retryAfterMs;
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return i.now + Math.max(normal, Math.min(retryAfter, BACKOFF_CAP_MS));
  }
  const errors = Math.floor(positiveOr(i.consecutiveErrors, 0));
  if (errors === 0) return i.now + normal;
  const start = i.rateLimited ? Math.max(normal, RATE_LIMITED_FLOOR_MS) : normal;
  // 2^errors overflows to Infinity for absurd counts; min() still caps it.
  const backoff = Math.min(start * 2 ** (errors - 1), BACKOFF_CAP_MS);
  return i.now + Math.max(normal, backoff);
}

/** Whether a feed whose stored `next_check_at` is this is due now. Never checked, or garbage: due. */
export function isDue(nextCheckAt: string | null, now: number): boolean {
  if (nextCheckAt === null) return true;
  const at = Date.parse(nextCheckAt);
  // A value that does not parse must not stall the feed forever.
  return Number.isNaN(at) || at <= now;
}

/** Cache-Control max-age in ms, or null when absent or garbage. s-maxage is for shared caches, not us. */
export function maxAgeMs(cacheControl: string | null): number | null {
  if (!cacheControl) return null;
  for (const directive of cacheControl.split(',')) {
    const m = /^\s*max-age\s*=\s*"?(\d{1,10})"?\s*$/i.exec(directive);
    if (m) return Number(m[1]) * 1000;
  }
  return null;
}

/** Expires - now in ms, or null when absent, not an HTTP-date, or already past (e.g. "0", "-1"). */
export function expiresInMs(expires: string | null, now: number): number | null {
  if (!expires) return null;
  const at = parseHttpDate(expires);
  return at === null || at <= now ? null : at - now;
}

function positiveOr(value: number | null | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
