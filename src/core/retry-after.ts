/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */

const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/**
 * Milliseconds to wait from `now`, or null when absent or garbage. Dates in the past give 0.
 * Not clamped: the scheduler decides the floor and ceiling (F-09).
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!HTTP_DATE_START.test(v)) return null;
  // asctime dates carry no zone but mean GMT; Date.parse would read them as local time.
  const withZone = /(gmt|utc|[+-]\d{4})$/i.test(v) ? v : `${v} GMT`;
  const at = Date.parse(withZone);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
