import { describe, expect, it } from 'vitest';
import { createTokenBudget, utcDayStart } from './budget.ts';

const NOON = Date.parse('2026-12-01T12:00:00Z');
const clock = () => NOON;

describe('the token budget', () => {
  it('without caps refuses nothing and still counts what was spent', () => {
    const b = createTokenBudget({}, clock);
    b.begin(1_000_000);
    expect(b.reserve(10_000_000)).toBeNull();
    b.settle(10_000_000, 700);
    expect(b.spent).toBe(700);
    expect(b.spentToday).toBe(1_000_700);
    expect(b.exhausted(() => 5_000)).toBeNull();
    let counted = false;
    b.exhausted(() => ((counted = true), 5_000));
    expect(counted).toBe(false); // nothing to compare with, so nothing is counted (no tokenizer loaded)
  });

  it('counts the reservations of requests in flight, then what each really used', () => {
    const b = createTokenBudget({ maxTokensPerRun: 10_000 }, clock);
    expect(b.reserve(4_000)).toBeNull();
    expect(b.reserve(4_000)).toBeNull();
    // 8,000 reserved: a third request of 4,000 would pass the cap.
    expect(b.reserve(4_000)).toMatchObject({ kind: 'llm.budget', retryAfterMs: 0 });
    // Both came back having used less than reserved: room again.
    b.settle(4_000, 2_500);
    b.settle(4_000, 2_500);
    expect(b.spent).toBe(5_000);
    expect(b.reserve(4_000)).toBeNull();
    b.settle(4_000, 4_000);
    const refused = b.reserve(2_000);
    expect(refused?.kind).toBe('llm.budget');
    expect(refused?.message).toMatch(/llm\.maxTokensPerRun \(10000\) reached: this run spent 9000 tokens.*waits for the next run/);
    // A refused request reserves nothing.
    expect(b.reserve(1_000)).toBeNull();
  });

  it("adds the day's earlier spending to the day cap, and makes the item wait for the next UTC day", () => {
    const b = createTokenBudget({ maxTokensPerDay: 50_000, maxTokensPerRun: 40_000 }, clock);
    b.begin(45_000);
    const refused = b.reserve(6_000);
    expect(refused).toMatchObject({ kind: 'llm.budget', retryAfterMs: 12 * 3600_000 });
    expect(refused!.message).toMatch(/llm\.maxTokensPerDay \(50000\) reached: 45000 tokens spent today \(UTC\).*2026-12-02T00:00:00\.000Z/);
    expect(b.reserve(5_000)).toBeNull();
    expect(b.exhausted(() => 1)).toMatchObject({ kind: 'llm.budget' });
  });

  it('says so when one request is larger than the whole cap', () => {
    const b = createTokenBudget({ maxTokensPerRun: 3_000 }, clock);
    expect(b.reserve(5_000)!.message).toMatch(/more than the whole cap: raise it/);
  });

  it('is exhausted once the smallest request a draft makes no longer fits', () => {
    const b = createTokenBudget({ maxTokensPerRun: 10_000 }, clock);
    b.settle(0, 8_500);
    expect(b.exhausted(() => 1_000)).toBeNull();
    expect(b.exhausted(() => 2_000)).toMatchObject({ kind: 'llm.budget' });
  });

  it('days start at midnight UTC', () => {
    expect(new Date(utcDayStart(Date.parse('2026-12-01T23:59:59.999Z'))).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(utcDayStart(Date.parse('2026-12-02T00:00:00Z'))).toISOString()).toBe('2026-12-02T00:00:00.000Z');
  });
});
