import { describe, expect, it } from 'vitest';
import { itemDisposition } from './item-disposition.ts';
import type { Failure } from '../core/failure.ts';

const NOW = Date.parse('2026-11-26T12:00:00.000Z');
const policy = { maxAttempts: 5, retryBackoffMinutes: 30 };
const f = (kind: Failure['kind'], extra: Partial<Failure> = {}): Failure => ({ kind, message: kind, ...extra });
const MIN = 60_000;

describe('itemDisposition', () => {
  it('leaves the item as it was for faults of the run, the endpoint or the database', () => {
    for (const kind of ['run.aborted', 'run.lease_lost', 'run.deadline', 'llm.auth', 'llm.model_not_found', 'llm.quota', 'llm.unsupported_request', 'db.busy', 'db.full', 'db.io', 'db.corrupt'] as const) {
      expect(itemDisposition(f(kind), 0, policy, NOW), kind).toEqual({ action: 'release' });
    }
  });

  it('defers an LLM rate limit without an attempt, for its Retry-After capped at a day', () => {
    expect(itemDisposition(f('llm.rate_limited', { retryAfterMs: 90 * MIN }), 2, policy, NOW)).toEqual({
      action: 'record', status: 'deferred', countsAttempt: false, nextAttemptAt: NOW + 90 * MIN,
    });
    expect(itemDisposition(f('llm.rate_limited', { retryAfterMs: 1e12 }), 0, policy, NOW)).toMatchObject({ nextAttemptAt: NOW + 24 * 60 * MIN });
    expect(itemDisposition(f('llm.rate_limited'), 0, policy, NOW)).toMatchObject({ nextAttemptAt: NOW + 60 * MIN });
  });

  it('counts a page that answers 429/503, and fails it at the last attempt instead of deferring forever', () => {
    expect(itemDisposition(f('fetch.rate_limited', { retryAfterMs: 10 * MIN }), 0, policy, NOW)).toEqual({
      action: 'record', status: 'deferred', countsAttempt: true, nextAttemptAt: NOW + 10 * MIN,
    });
    expect(itemDisposition(f('fetch.rate_limited'), 4, policy, NOW)).toMatchObject({ status: 'failed', countsAttempt: true });
  });

  it('blocks failures a retry cannot change', () => {
    for (const kind of ['fetch.blocked_address', 'fetch.gone', 'extract.paywall', 'extract.teaser'] as const) {
      expect(itemDisposition(f(kind), 0, policy, NOW)).toEqual({ action: 'record', status: 'blocked', countsAttempt: true, nextAttemptAt: null });
    }
  });

  it('backs other failures off, doubling per attempt and capped at a day', () => {
    expect(itemDisposition(f('llm.invalid_output'), 0, policy, NOW)).toEqual({ action: 'record', status: 'failed', countsAttempt: true, nextAttemptAt: NOW + 30 * MIN });
    expect(itemDisposition(f('fetch.timeout'), 2, policy, NOW)).toMatchObject({ nextAttemptAt: NOW + 120 * MIN });
    expect(itemDisposition(f('fetch.timeout'), 30, policy, NOW)).toMatchObject({ nextAttemptAt: NOW + 24 * 60 * MIN });
  });
});
