import { describe, expect, it } from 'vitest';
import { aggregate, delta, percentile, wordEditDistance, type SideEntry } from './metrics.ts';

const entry = (itemId: number, over: Partial<SideEntry> = {}, takeaways = [{ grounded: true, supported: true }]): SideEntry => ({
  itemId,
  draft: {
    headline: 'one two three',
    tldr: 'a b',
    whyItMatters: 'w',
    takeaways: takeaways.map((t) => ({ text: 't', quote: 'q', ...t })),
    framing: { verdict: 'positive', recommendation: 'include' },
    unsupportedClaims: [],
  },
  failure: null,
  inputTokens: 100,
  outputTokens: 10,
  latencyMs: itemId * 100,
  cost: 0.5,
  ...over,
});

describe('aggregate', () => {
  it('counts rates over the right totals, and leaves unchecked fields null', () => {
    const failed = entry(3, { draft: null, failure: { kind: 'llm.invalid_output', message: 'x' }, cost: null });
    const flagged = entry(2, {}, [{ grounded: false, supported: false }, { grounded: true, supported: false }]);
    flagged.draft!.unsupportedClaims = [{ field: 'headline', claim: '42' }];
    flagged.draft!.framing = { verdict: 'mixed', recommendation: 'include_with_note' };
    const agg = aggregate([entry(1), flagged, failed]);
    expect(agg).toMatchObject({
      stories: 3,
      verdicts: { positive: 1, mixed: 1 },
      recommendations: { include: 1, include_with_note: 1 },
      meanHeadlineWords: 3,
      inputTokens: 300,
      cost: 1,
      latencyP50Ms: 100,
      latencyP95Ms: 200,
    });
    expect(agg.schemaValidRate).toBeCloseTo(2 / 3);
    expect(agg.groundedQuoteRate).toBeCloseTo(2 / 3);
    expect(agg.supportedTakeawayRate).toBeCloseTo(1 / 3);
    expect(agg.unsupportedClaimRate).toBe(0.5);

    const older = entry(1, {}, [{ grounded: true } as never]);
    delete older.draft!.unsupportedClaims;
    expect(aggregate([older])).toMatchObject({ supportedTakeawayRate: null, unsupportedClaimRate: null });
  });

  it('gives B minus A per metric and per verdict', () => {
    const a = aggregate([entry(1), entry(2)]);
    const b = aggregate([entry(1), entry(2, { draft: null, failure: { kind: 'llm.refused', message: '' } })]);
    const d = delta(a, b);
    expect(d.schemaValidRate).toBe(-0.5);
    expect(d.verdicts).toEqual({ positive: -1 });
  });
});

describe('percentile and word edit distance', () => {
  it('uses the nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
    expect(percentile([], 50)).toBeNull();
  });

  it('counts words inserted, deleted and replaced', () => {
    expect(wordEditDistance('the cat sat'.split(' '), 'the cat sat'.split(' '))).toBe(0);
    expect(wordEditDistance('the cat sat'.split(' '), 'the dog sat down'.split(' '))).toBe(2);
    expect(wordEditDistance([], ['a', 'b'])).toBe(2);
  });
});
