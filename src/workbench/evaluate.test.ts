import { describe, expect, it } from 'vitest';
import type { StoredDraft } from '../store/index.ts';
import { evaluate, failedThresholds, recommends } from './evaluate.ts';
import type { CheckedDraft, SideEntry } from './metrics.ts';

const draft = (headline: string, framing: CheckedDraft['framing']): CheckedDraft => ({
  headline,
  tldr: 'short summary here',
  whyItMatters: 'it matters',
  takeaways: [{ text: 'one fact', quote: 'q', grounded: true }],
  framing,
});
const entry = (itemId: number, d: CheckedDraft | null): SideEntry => ({ itemId, draft: d, failure: d ? null : { kind: 'llm.refused', message: '' }, inputTokens: 0, outputTokens: 0, latencyMs: 0, cost: null });

describe('evaluate', () => {
  it('measures how far a draft is from the version editors approved, in words', () => {
    const approved = draft('AI finds eye disease early in clinics', { verdict: 'positive' }) as unknown as StoredDraft;
    const ev = evaluate('t', [entry(1, draft('AI finds disease early in rural clinics', { verdict: 'positive' }))], [{ storyId: 1, at: new Date(0), decision: 'approve', reason: null, approved }]);
    // "eye" removed, "rural" added: 2 of the approved story's 14 words.
    expect(ev.editDistance).toEqual({ stories: 1, meanWords: 2, meanRatio: 2 / 14 });
    expect(ev).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });

  it('counts a story without a draft as skip, and reads older drafts by their verdict', () => {
    expect(recommends(null)).toBe(false);
    expect(recommends(draft('h', { verdict: 'mixed' }))).toBe(true);
    expect(recommends(draft('h', { verdict: 'negative' }))).toBe(false);
    expect(recommends(draft('h', { verdict: 'positive', recommendation: 'skip' }))).toBe(false);
    const ev = evaluate('t', [entry(1, null), entry(2, draft('h', { verdict: 'negative' }))], [
      { storyId: 1, at: new Date(0), decision: 'approve', reason: null, approved: null },
      { storyId: 2, at: new Date(0), decision: 'reject', reason: 'negative', approved: null },
      { storyId: 3, at: new Date(0), decision: 'approve', reason: null, approved: null },
    ]);
    expect(ev.counts).toMatchObject({ falseNegative: 1, trueNegative: 1, noDraft: 1, notTried: 1 });
    expect(ev.precision).toBeNull();
    expect(ev.recall).toBe(0);
    expect(ev.confusion).toEqual({ 'no draft': { approved: 1 }, negative: { negative: 1 } });
    expect(failedThresholds(ev, { minF1: 0.5, minGrounded: 0.9 })).toEqual([
      'F1 unknown (no approved or negative stories tried) is below --min-f1 0.5',
    ]);
  });
});
