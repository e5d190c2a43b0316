/** HTTP-date (RFC 9110 §5.6.7) and the headers made of it: Retry-After, Expires. */

const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/**
 * An HTTP-date in ms since the epoch, or null. Only strings that start with a day name count:
 * Date.parse would also take "0" or "-1", which servers send to mean "already expired".
 */
export function parseHttpDate(value: string): number | null {
  const v = value.trim();
  if (!HTTP_DATE_START.test(v)) return null;
  // asctime dates carry no zone but mean GMT; Date.parse would read them as local time.
  const at = Date.parse(/(gmt|utc|[+-]\d{4})$/i.test(v) ? v : `${v} GMT`);
  return Number.isNaN(at) ? null : at;
}

/**
 * Retry-After (RFC 9110 §10.2.3), delay-seconds or an HTTP-date: milliseconds to wait from
 * `now`, or null when absent or garbage. Dates in the past give 0. Not clamped: the scheduler
 * decides the floor (never sooner than the feed's normal interval) and the ceiling (a day).
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = parseHttpDate(v);
  return at === null ? null : Math.max(0, at - now);
}
