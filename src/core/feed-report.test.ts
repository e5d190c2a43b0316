import { describe, expect, it } from 'vitest';
import { feedValue } from './feed-report.ts';

const PRICING = { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, big: { input: 5, output: 15 } };

describe("a feed's acceptance and cost", () => {
  it('acceptance is approved over decided; cost sums every model, per approved story', () => {
    const v = feedValue(
      { approved: 3, rejected: 1 },
      [
        { model: 'big', drafts: 1, inputTokens: 100_000, outputTokens: 10_000 },
        // A dated name the server reported: priced as the configured model.
        { model: 'gpt-4o-mini-2024-07-18', drafts: 4, inputTokens: 1_000_000, outputTokens: 100_000 },
      ],
      PRICING,
      'gpt-4o-mini',
    );
    expect(v.acceptance).toEqual({ approved: 3, rejected: 1, rate: 0.75 });
    expect(v.cost).toMatchObject({ llmDrafts: 5, inputTokens: 1_100_000, outputTokens: 110_000 });
    const expected = 0.5 + 0.15 + 0.15 + 0.06;
    expect(v.cost.estimated).toBeCloseTo(expected, 10);
    expect(v.cost.perApprovedStory).toBeCloseTo(expected / 3, 10);
  });

  it('says unknown (null) rather than a partial or zero sum, and no rate before any decision', () => {
    const v = feedValue(undefined, [{ model: 'local-llama', drafts: 2, inputTokens: 5000, outputTokens: 800 }], PRICING, 'local-llama');
    expect(v.acceptance).toEqual({ approved: 0, rejected: 0, rate: null });
    expect(v.cost.estimated).toBeNull();
    expect(v.cost.perApprovedStory).toBeNull();
    // No LLM drafts at all: nothing was spent.
    expect(feedValue({ approved: 2, rejected: 0 }, [], PRICING, 'gpt-4o-mini').cost).toEqual({
      llmDrafts: 0,
      inputTokens: 0,
      outputTokens: 0,
      estimated: 0,
      perApprovedStory: 0,
    });
  });
});
