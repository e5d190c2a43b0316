import { describe, expect, it } from 'vitest';
import { expiresInMs, isDue, maxAgeMs, nextCheckAt, type NextCheckInput } from './next-check.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const inHours = (h: number) => new Date(NOW + h * HOUR).toUTCString();

describe('nextCheckAt', () => {
  const cases: [string, Omit<NextCheckInput, 'now'>, number][] = [
    ['configured interval', { intervalMinutes: 60 }, 60 * MIN],
    ['interval below the floor', { intervalMinutes: 1 }, 15 * MIN],
    ['custom floor', { intervalMinutes: 1, minMinutes: 30 }, 30 * MIN],
    ['interval above the ceiling', { intervalMinutes: 3 * 24 * 60 }, DAY],
    ['RSS ttl longer than the interval', { intervalMinutes: 30, ttlMinutes: 120 }, 120 * MIN],
    ['RSS ttl shorter than the interval does not speed up', { intervalMinutes: 60, ttlMinutes: 5 }, 60 * MIN],
    ['huge ttl is capped', { intervalMinutes: 60, ttlMinutes: 10_080 }, DAY],
    ['Cache-Control max-age', { intervalMinutes: 30, cacheControl: 'public, max-age=7200' }, 2 * HOUR],
    ['Cache-Control quoted, odd case', { intervalMinutes: 30, cacheControl: 'Max-Age="5400", must-revalidate' }, 90 * MIN],
    ['Cache-Control no-cache / garbage ignored', { intervalMinutes: 30, cacheControl: 'no-cache, max-age=abc' }, 30 * MIN],
    ['s-maxage is not ours', { intervalMinutes: 30, cacheControl: 's-maxage=86400' }, 30 * MIN],
    ['Expires in 3 h', { intervalMinutes: 30, expires: inHours(3) }, 3 * HOUR],
    ['Expires in the past ignored', { intervalMinutes: 30, expires: inHours(-3) }, 30 * MIN],
    ['Expires "0" ignored', { intervalMinutes: 30, expires: '0' }, 30 * MIN],
    ['Expires garbage ignored', { intervalMinutes: 30, expires: 'tomorrow-ish' }, 30 * MIN],
    ['largest hint wins', { intervalMinutes: 30, ttlMinutes: 60, cacheControl: 'max-age=10800', expires: inHours(2) }, 3 * HOUR],
    ['negative/NaN hints ignored', { intervalMinutes: Number.NaN, ttlMinutes: -5 }, 15 * MIN],
    // Retry-After: a floor, never faster than normal, capped at 24 h
    ['Retry-After 3 h wins over back-off', { intervalMinutes: 30, retryAfterMs: 3 * HOUR, consecutiveErrors: 6, rateLimited: true }, 3 * HOUR],
    ['Retry-After 2 min gets the normal delay', { intervalMinutes: 60, retryAfterMs: 2 * MIN, rateLimited: true, consecutiveErrors: 1 }, 60 * MIN],
    ['Retry-After 0 gets the normal delay', { intervalMinutes: 30, retryAfterMs: 0, rateLimited: true, consecutiveErrors: 1 }, 30 * MIN],
    ['Retry-After 10^9 s is capped at 24 h', { intervalMinutes: 30, retryAfterMs: 1e12, rateLimited: true, consecutiveErrors: 1 }, DAY],
    ['Retry-After NaN ignored', { intervalMinutes: 30, retryAfterMs: Number.NaN, rateLimited: true, consecutiveErrors: 1 }, HOUR],
    // 429/503 without Retry-After: 1 h, then doubling
    ['rate limited, no header', { intervalMinutes: 30, rateLimited: true, consecutiveErrors: 1 }, HOUR],
    ['rate limited twice, no header', { intervalMinutes: 30, rateLimited: true, consecutiveErrors: 2 }, 2 * HOUR],
    // Consecutive errors: interval * 2^(errors-1), capped at 24 h
    ['first error', { intervalMinutes: 30, consecutiveErrors: 1 }, 30 * MIN],
    ['second error', { intervalMinutes: 30, consecutiveErrors: 2 }, 60 * MIN],
    ['fourth error', { intervalMinutes: 30, consecutiveErrors: 4 }, 4 * HOUR],
    ['many errors capped', { intervalMinutes: 30, consecutiveErrors: 20 }, DAY],
    ['absurd error count capped', { intervalMinutes: 30, consecutiveErrors: 5000 }, DAY],
    ['success resets', { intervalMinutes: 30, consecutiveErrors: 0 }, 30 * MIN],
  ];
  it.each(cases)('%s', (_name, input, delay) => {
    expect(nextCheckAt({ now: NOW, ...input }) - NOW).toBe(delay);
  });
});

describe('isDue', () => {
  it.each([
    [null, true],
    ['2025-06-01T11:59:59.000Z', true],
    ['2025-06-01T12:00:00.000Z', true],
    ['2025-06-01T12:00:01.000Z', false],
    ['not a date', true],
  ])('%s -> %s', (stored, due) => {
    expect(isDue(stored, NOW)).toBe(due);
  });

  it('round-trips with nextCheckAt through an ISO string', () => {
    const next = new Date(nextCheckAt({ now: NOW, intervalMinutes: 60 })).toISOString();
    expect(isDue(next, NOW + 59 * MIN)).toBe(false);
    expect(isDue(next, NOW + 60 * MIN)).toBe(true);
  });
});

describe('header helpers', () => {
  it('parses max-age and Expires strictly', () => {
    expect(maxAgeMs(null)).toBeNull();
    expect(maxAgeMs('max-age=60')).toBe(60_000);
    expect(maxAgeMs('max-age=-1')).toBeNull();
    expect(expiresInMs('Sun, 01 Jun 2025 13:00:00 GMT', NOW)).toBe(HOUR);
    expect(expiresInMs('Sunday, 01-Jun-25 13:00:00 GMT', NOW)).toBe(HOUR);
    expect(expiresInMs('Sun Jun  1 13:00:00 2025', NOW)).toBe(HOUR); // asctime means GMT
    expect(expiresInMs('2025-06-01T13:00:00Z', NOW)).toBeNull();
  });
});
