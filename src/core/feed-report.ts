import { costOf, type Pricing } from './pricing.ts';

/** How editors judged a feed's stories: approved / (approved + rejected); rate null before any decision. */
export interface FeedAcceptance {
  approved: number;
  rejected: number;
  rate: number | null;
}

/**
 * What a feed's drafts cost: the tokens of every LLM draft of its items, priced by llm.pricing.
 * `estimated` is null when a model the drafts used has no price (a partial sum would understate
 * it); `perApprovedStory` is that over the approved stories, null with none approved or no price.
 */
export interface FeedCost {
  llmDrafts: number;
  inputTokens: number;
  outputTokens: number;
  estimated: number | null;
  perApprovedStory: number | null;
}

/**
 * A feed's acceptance and cost from its decision counts and its drafts' tokens per model. A draft
 * whose model the server named differently (gpt-4o-mini-2024-07-18) is priced as `configuredModel`
 * when its own name has no price.
 */
export function feedValue(
  decisions: { approved: number; rejected: number } | undefined,
  tokens: readonly { model: string | null; drafts: number; inputTokens: number; outputTokens: number }[],
  pricing: Pricing,
  configuredModel: string | null,
): { acceptance: FeedAcceptance; cost: FeedCost } {
  const approved = decisions?.approved ?? 0;
  const rejected = decisions?.rejected ?? 0;
  const costs = tokens.map((t) => costOf(pricing, [t.model, configuredModel], t.inputTokens, t.outputTokens));
  const estimated = costs.some((c) => c === null) ? null : costs.reduce<number>((a, c) => a + c!, 0);
  return {
    acceptance: { approved, rejected, rate: approved + rejected > 0 ? approved / (approved + rejected) : null },
    cost: {
      llmDrafts: tokens.reduce((n, t) => n + t.drafts, 0),
      inputTokens: tokens.reduce((n, t) => n + t.inputTokens, 0),
      outputTokens: tokens.reduce((n, t) => n + t.outputTokens, 0),
      estimated,
      perApprovedStory: estimated !== null && approved > 0 ? estimated / approved : null,
    },
  };
}
